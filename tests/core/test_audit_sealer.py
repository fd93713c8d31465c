"""Who seals: the app's background sealer after each audited commit, on start and on stop."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from corebank.core import audit
from corebank.core.audit_sealer import AuditSealer
from corebank.core.db import Database
from tests.core.test_audit import append, verify
from tests.support import audit_rows, create_user


@pytest.fixture
async def sealer(db: Database) -> AsyncIterator[AuditSealer]:
    """A sealer told of every audited commit on `db`, as the composition root wires it."""
    sealer = AuditSealer(db, delay_seconds=0.01)
    db.commit_hooks.append(sealer.after_transaction)
    yield sealer
    await sealer.stop()


async def pending(db: Database) -> int:
    return (await verify(db)).pending


async def until_sealed(db: Database, *, within: float = 5.0) -> audit.VerifyReport:
    """The chain's report once nothing is pending (the sealer works in the background)."""
    async with asyncio.timeout(within):
        while True:
            report = await verify(db)
            if not report.pending:
                return report
            await asyncio.sleep(0.02)


async def test_rows_are_sealed_soon_after_their_commit(db: Database, sealer: AuditSealer) -> None:
    sealer.start()
    await append(db, 3)
    report = await until_sealed(db)
    assert report.ok, report.problems
    assert report.checked == 3
    await append(db, 2)  # a later burst gets its own pass
    assert (await until_sealed(db)).checked == 5
    assert sealer.running


async def test_stopping_seals_what_is_left(db: Database, sealer: AuditSealer) -> None:
    sealer.delay_seconds = 60  # no pass would come before the stop
    sealer.start()
    await append(db, 2)
    assert await pending(db) == 2
    await sealer.stop()
    assert not sealer.running
    report = await verify(db)
    assert (report.ok, report.checked, report.pending) == (True, 2, 0)


async def test_a_sealer_never_started_seals_its_rows_when_stopped(
    db: Database, sealer: AuditSealer
) -> None:
    """A command (create-admin...) builds the container without starting it."""
    await append(db, 1)
    assert await pending(db) == 1
    await sealer.stop()
    assert await pending(db) == 0


async def test_rows_a_crashed_process_left_are_sealed_by_the_next_sealer(db: Database) -> None:
    await append(db, 2)  # committed; the process died before any pass
    assert await pending(db) == 2
    restarted = AuditSealer(db, delay_seconds=0.01)
    restarted.start()
    try:
        report = await until_sealed(db)
    finally:
        await restarted.stop()
    assert (report.ok, report.checked) == (True, 2)


async def test_a_sweeping_sealer_seals_rows_other_processes_committed(db: Database) -> None:
    """The worker's sealer hears of no commit of the API processes: it sweeps."""
    worker = AuditSealer(db, delay_seconds=0)
    worker.start(sweep_seconds=0.05)
    try:
        await until_sealed(db)  # its first pass, at start
        await append(db, 2)  # committed elsewhere: `worker.notify()` is never called
        report = await until_sealed(db)
    finally:
        await worker.stop()
    assert (report.ok, report.checked) == (True, 2)


async def test_a_failed_pass_is_tried_again(db: Database, sealer: AuditSealer) -> None:
    failures = 0
    seal_now = sealer.seal_now

    async def failing_once(**options: Any) -> int:
        nonlocal failures
        if not failures:
            failures += 1
            raise ConnectionError("database gone for a moment")
        return await seal_now(**options)

    sealer.seal_now = failing_once  # type: ignore[method-assign]
    sealer.start()
    await append(db, 1)
    assert (await until_sealed(db)).checked == 1
    assert failures == 1


async def test_the_app_seals_while_it_runs_and_stops_its_sealer(
    app: Any, db: Database, client: httpx.AsyncClient
) -> None:
    async with app.router.lifespan_context(app):
        assert app.state.container.audit_sealer.running
        user = await create_user(app)
        response = await client.post(
            "/api/v1/auth/login", json={"username": user.email, "password": "Wr0ng-passw0rd!"}
        )
        assert response.status_code == 401
        report = await until_sealed(db)
        assert report.ok, report.problems
    assert not app.state.container.audit_sealer.running
    [row] = await audit_rows(db, "user.login_failed")
    assert row.sealed and row.id is not None and row.hash is not None
