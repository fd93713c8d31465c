"""Who runs the dispatcher: `corebank worker` as its own process (which seals the audit chain
too), or `serve` in-process."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from corebank.cli import app as cli
from corebank.core import audit
from corebank.core.db import Database
from corebank.events.stats import outbox_stats
from tests.events.helpers import Receiver, create_webhook
from tests.events.test_outbox import emit_one

runner = CliRunner()


def test_worker_has_help() -> None:
    result = runner.invoke(cli, ["worker", "--help"])
    assert result.exit_code == 0
    assert "--once" in result.output


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_worker_once_delivers_what_is_due_and_exits(
    database_url: str,
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    await create_webhook(client, admin, receiver.url)
    event_id = await emit_one(db)
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "ALLOW_PRIVATE_WEBHOOKS": "true",
        "LOG_FORMAT": "json",
    }.items():
        monkeypatch.setenv(name, value)

    result = await asyncio.to_thread(runner.invoke, cli, ["worker", "--once"])

    assert result.exit_code == 0, result.output
    assert receiver.event_ids() == [event_id]
    assert (await outbox_stats(db)).pending == 0


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_worker_once_seals_the_audit_rows_left(
    database_url: str, db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    async with db.transaction() as session:  # committed by a process that sealed nothing
        audit.record(session, "test.left_unsealed")
    monkeypatch.chdir(tmp_path)
    for name, value in {"DATABASE_URL": database_url, "ENVIRONMENT": "test"}.items():
        monkeypatch.setenv(name, value)

    result = await asyncio.to_thread(runner.invoke, cli, ["worker", "--once"])

    assert result.exit_code == 0, result.output
    async with db.session() as session:
        report = await audit.verify_chain(session)
    assert (report.ok, report.checked, report.pending) == (True, 1, 0)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_serve_runs_the_dispatcher_in_process_when_settings_say_so(
    app: Any,
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    await create_webhook(client, admin, receiver.url)
    async with app.router.lifespan_context(app):
        assert app.state.container.dispatcher.running
        event_id = await emit_one(db)
        await receiver.wait_for(1)
    assert receiver.event_ids() == [event_id]
    assert not app.state.container.dispatcher.running  # stopped with the app


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any], request: pytest.FixtureRequest) -> Any:
    if request.node.name.startswith("test_no_in_process"):
        return {**settings_overrides, "outbox_dispatcher_in_process": False}
    return settings_overrides


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_no_in_process_dispatcher_when_switched_off(
    app: Any, db: Database, client: httpx.AsyncClient, admin: dict[str, str], receiver: Receiver
) -> None:
    await create_webhook(client, admin, receiver.url)
    async with app.router.lifespan_context(app):
        assert not app.state.container.dispatcher.running
        await emit_one(db)
        await asyncio.sleep(0.3)
    assert receiver.requests == []
    assert (await outbox_stats(db)).pending == 1
