"""The audit chain: rows are written unsealed by their transaction, sealed after it commits by
the real sealer, and verification finds any changed, removed or inserted sealed row."""

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from corebank.core import audit
from corebank.core.audit_sealer import seal
from corebank.core.db import Database
from corebank.models import AuditChainHead, AuditEvent


async def append(db: Database, count: int, action: str = "test.action") -> None:
    """`count` committed transactions of one audit row each (not sealed yet)."""
    for index in range(count):
        async with db.transaction() as session:
            audit.record(
                session,
                action,
                actor_id=index,
                target_type="thing",
                target_id=index,
                before={"n": index},
                after={"n": index + 1, "nested": {"b": 1, "a": [1, 2]}},
            )


async def verify(db: Database) -> audit.VerifyReport:
    async with db.session() as session:
        return await audit.verify_chain(session, batch=3)


async def rows_by_seq(db: Database) -> list[AuditEvent]:
    async with db.session() as session:
        return list((await session.scalars(select(AuditEvent).order_by(AuditEvent.seq))).all())


async def tamper(db: Database, sql: str) -> None:
    """Change rows behind the append-only guard, as an attacker with table access would."""
    async with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            await connection.exec_driver_sql(sql)
        else:
            await connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            await connection.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
            await connection.exec_driver_sql(sql)


# --- writing and sealing ---------------------------------------------------------------------


async def test_committed_rows_wait_unsealed_and_are_pending_not_failures(db: Database) -> None:
    await append(db, 3)
    rows = await rows_by_seq(db)
    assert [(r.id, r.prev_hash, r.hash, r.sealed) for r in rows] == [(None, None, None, False)] * 3
    assert rows[0].seq < rows[1].seq < rows[2].seq
    report = await verify(db)
    assert report.ok, report.problems
    assert (report.checked, report.pending) == (0, 3)


async def test_sealing_gives_positions_and_links_each_row_to_the_previous(db: Database) -> None:
    await append(db, 2)
    assert await seal(db) == 2
    rows = await rows_by_seq(db)
    assert [r.id for r in rows] == [1, 2]
    assert rows[0].prev_hash == "0" * 64
    assert rows[1].prev_hash == rows[0].hash
    assert rows[1].after == {"n": 2, "nested": {"b": 1, "a": [1, 2]}}
    async with db.session() as session:
        head = await session.get(AuditChainHead, audit.HEAD_ID)
    assert head is not None and (head.last_id, head.last_hash) == (2, rows[1].hash)


async def test_the_chain_grows_over_several_seals_and_verifies(db: Database) -> None:
    await append(db, 4)
    assert await seal(db) == 4
    await append(db, 3)
    report = await verify(db)
    assert report.ok, report.problems
    assert (report.checked, report.pending) == (4, 3)
    assert await seal(db) == 3
    assert await seal(db) == 0
    report = await verify(db)
    assert report.ok, report.problems
    assert (report.checked, report.pending) == (7, 0)


async def test_a_seal_of_more_rows_than_one_batch_takes_several_transactions(db: Database) -> None:
    await append(db, 7)
    assert await seal(db, batch=3) == 7
    assert [r.id for r in await rows_by_seq(db)] == list(range(1, 8))
    assert (await verify(db)).ok


async def test_verify_tells_its_progress_every_batch_and_at_the_end(db: Database) -> None:
    await append(db, 7)
    await seal(db)
    told: list[int] = []
    async with db.session() as session:
        report = await audit.verify_chain(session, batch=3, progress=told.append)
    assert (report.ok, report.checked) == (True, 7)
    assert told == [3, 3, 1]


async def test_rows_exist_only_when_the_transaction_commits(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            audit.record(session, "test.rolled_back")
            raise RuntimeError("abort")
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def test_several_rows_of_one_transaction_are_sealed_in_the_order_written(
    db: Database,
) -> None:
    async with db.transaction() as session:
        for n in range(3):
            audit.record(session, "test.batch", actor_id=n, after={"n": n, "text": 'é " \\ \n'})
    await seal(db)
    rows = await rows_by_seq(db)
    assert [(r.id, r.actor_id) for r in rows] == [(1, 0), (2, 1), (3, 2)]
    assert rows[2].after == {"n": 2, "text": 'é " \\ \n'}
    report = await verify(db)
    assert report.ok, report.problems


def test_the_hash_is_the_one_the_chain_always_used() -> None:
    """Sealing hashes as appends did before it moved off the request path (old chains verify)."""
    values = {
        "occurred_at": datetime(2026, 12, 6, 1, 2, 3, 456789, tzinfo=UTC),
        "actor_id": 7,
        "action": "transaction.posted",
        "target_type": "transaction",
        "target_id": "42",
        "before": None,
        "after": {"id": 3, "prev": "p", "amount": "1.00", "note": "ünïcode"},
        "ip": "127.0.0.1",
        "user_agent": "ua",
        "correlation_id": "c",
    }
    # what the append at commit computed for this row (its Python path and the three pieces
    # joined by migration 0006's corebank_audit_append agreed on it)
    assert audit.row_hash(1234, "a" * 64, values) == (
        "9cdfa19a9a0e1a7b8ec651962638094bc44c3e609c3c762c844dd4ebc09fb7c9"
    )


async def test_a_request_transaction_locks_no_shared_row(db: Database) -> None:
    """The only audit statement of an audited write is its INSERT: no head row, no FOR UPDATE."""
    sent: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
    db.statement_observers.append(lambda sql, _seconds: capture(None, None, sql))  # the driver's
    try:
        async with db.transaction() as session:
            audit.record(session, "test.one")
            audit.record(session, "test.two")
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
    touching = [s for s in sent if "audit" in s]
    assert len(touching) == 1 and touching[0].startswith("INSERT INTO audit_events")
    assert not any("FOR UPDATE" in s for s in sent)


# --- what verification catches ---------------------------------------------------------------


async def sealed_chain(db: Database, count: int) -> None:
    await append(db, count)
    await seal(db)


async def test_changed_row_is_caught(db: Database) -> None:
    await sealed_chain(db, 5)
    await tamper(db, "UPDATE audit_events SET actor_id = 999 WHERE id = 3")
    report = await verify(db)
    assert not report.ok
    assert any("row 3" in p and "changed" in p for p in report.problems)


async def test_removed_row_is_caught(db: Database) -> None:
    await sealed_chain(db, 5)
    await tamper(db, "DELETE FROM audit_events WHERE id = 2")
    report = await verify(db)
    assert any("row 3: expected row 2" in p for p in report.problems)


async def test_removed_last_row_is_caught(db: Database) -> None:
    await sealed_chain(db, 4)
    await tamper(db, "DELETE FROM audit_events WHERE id = 4")
    report = await verify(db)
    assert any("head says row 4" in p for p in report.problems)


async def test_a_sealed_row_turned_back_into_a_pending_one_is_caught(db: Database) -> None:
    """Hiding a row among the pending ones leaves a gap in the positions."""
    await sealed_chain(db, 4)
    await tamper(
        db, "UPDATE audit_events SET id = NULL, prev_hash = NULL, hash = NULL WHERE id = 2"
    )
    report = await verify(db)
    assert report.pending == 1
    assert any("row 3: expected row 2" in p for p in report.problems)


async def test_inserted_row_is_caught(db: Database) -> None:
    await sealed_chain(db, 3)
    await tamper(
        db,
        "INSERT INTO audit_events (id, occurred_at, action, prev_hash, hash) "
        "VALUES (4, '2026-01-01 00:00:00', 'forged', 'x', 'y')",
    )
    report = await verify(db)
    assert any("row 4" in p for p in report.problems)


async def test_an_inserted_row_with_a_well_computed_hash_is_caught_by_the_head(
    db: Database,
) -> None:
    await sealed_chain(db, 3)
    last = (await rows_by_seq(db))[-1]
    forged = {"occurred_at": datetime(2026, 1, 1, tzinfo=UTC), "action": "forged"}
    digest = audit.row_hash(4, last.hash or "", forged)
    await tamper(
        db,
        "INSERT INTO audit_events (id, occurred_at, action, prev_hash, hash) "
        f"VALUES (4, '2026-01-01 00:00:00', 'forged', '{last.hash}', '{digest}')",
    )
    report = await verify(db)
    assert report.problems == ["chain ends at row 4 but its head says row 3"]


async def test_update_and_delete_are_refused_by_the_database(db: Database) -> None:
    await sealed_chain(db, 1)
    await append(db, 1)  # one pending row too
    for statement in (
        "UPDATE audit_events SET action = 'x'",
        "UPDATE audit_events SET action = 'x' WHERE id IS NULL",
        "UPDATE audit_events SET hash = 'x', prev_hash = 'y' WHERE id = 1",
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE id IS NULL",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.engine.begin() as connection:
                await connection.execute(text(statement))


async def test_sealing_may_not_change_what_it_seals(db: Database) -> None:
    """The one UPDATE the database allows fills the chain columns in; nothing else goes."""
    await append(db, 1)
    with pytest.raises(DBAPIError, match="append-only"):
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    "UPDATE audit_events SET id = 1, prev_hash = 'p', hash = 'h', action = 'x' "
                    "WHERE id IS NULL"
                )
            )


# --- concurrency ---------------------------------------------------------------------------


async def test_concurrent_writes_and_sealers_keep_one_unbroken_chain(db: Database) -> None:
    writers = [append(db, 3, action=f"worker.{n}") for n in range(8)]
    sealers = [seal(db, batch=2) for _ in range(3)]
    await asyncio.gather(*writers, *sealers)
    await seal(db)
    report = await verify(db)
    assert report.ok, report.problems
    assert (report.checked, report.pending) == (24, 0)


@pytest.mark.parametrize("backend", ["postgres"])  # SQLite runs one writer at a time anyway
async def test_audited_writes_in_flight_do_not_wait_for_each_other(db: Database) -> None:
    """Two transactions hold written audit rows at once, and a sealer runs past both."""
    both_written = asyncio.Barrier(3)

    async def write(action: str) -> None:
        async with db.transaction() as session:
            audit.record(session, action)
            await audit.write_pending(session)  # what the commit hook does, done early
            await both_written.wait()  # a lock on a shared row would stop one before here
            await both_written.wait()  # ...and stay uncommitted while the sealer runs

    writers = asyncio.gather(write("test.first"), write("test.second"))
    async with asyncio.timeout(10):
        await both_written.wait()
        assert await seal(db) == 0  # nothing committed yet, and nothing to wait for
        await both_written.wait()
        await writers
    assert await seal(db) == 2
    report = await verify(db)
    assert report.ok, report.problems
    assert (report.checked, report.pending) == (2, 0)


@pytest.mark.parametrize("backend", ["postgres"])  # SQLite runs one writer at a time anyway
async def test_a_late_commit_is_sealed_after_rows_sealed_before_it(db: Database) -> None:
    """Positions are given at sealing: an earlier `seq` committed later comes later."""
    written, release = asyncio.Event(), asyncio.Event()

    async def slow() -> None:
        async with db.transaction() as session:
            audit.record(session, "test.slow")
            await audit.write_pending(session)
            written.set()
            await release.wait()

    slow_writer = asyncio.create_task(slow())
    async with asyncio.timeout(10):
        await written.wait()
        await append(db, 1, action="test.fast")
        assert await seal(db) == 1
        release.set()
        await slow_writer
    assert await seal(db) == 1
    rows = {r.action: r for r in await rows_by_seq(db)}
    assert rows["test.slow"].seq < rows["test.fast"].seq
    assert (rows["test.fast"].id, rows["test.slow"].id) == (1, 2)
    assert (await verify(db)).ok


@pytest.mark.parametrize("backend", ["postgres"])  # SQLite runs one writer at a time anyway
async def test_a_background_sealer_does_not_wait_while_another_seals(db: Database) -> None:
    """A background pass that finds the head held gives up at once (SealerBusy, no pool
    connection held while it waits) and seals on a later pass; the CLI's pass waits."""
    await append(db, 1)
    await seal(db)  # the head row exists from here on
    await append(db, 2)
    holding, release = asyncio.Event(), asyncio.Event()

    async def other_sealer() -> None:
        async with db.transaction() as session:
            await session.execute(
                select(AuditChainHead.id).where(AuditChainHead.id == 1).with_for_update()
            )
            holding.set()
            await release.wait()

    other = asyncio.create_task(other_sealer())
    async with asyncio.timeout(10):
        await holding.wait()
        with pytest.raises(audit.SealerBusy):
            await seal(db, wait=False)
        waiting = asyncio.create_task(seal(db))  # the command line's pass waits its turn
        await asyncio.sleep(0.1)
        assert not waiting.done()
        release.set()
        await other
        assert await waiting == 2
    report = await verify(db)
    assert report.ok and (report.checked, report.pending) == (3, 0)
