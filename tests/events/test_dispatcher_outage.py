"""The dispatcher through a database outage (PostgreSQL behind a proxy that is stopped): one
warning when it starts, one info line when it ends, the traces at DEBUG only, nothing lost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from corebank.container import close_container
from corebank.core.db import Database
from corebank.main import create_app
from tests.events.helpers import Receiver, create_webhook, eventually
from tests.events.test_outbox import emit_one
from tests.support import TcpProxy, login_as, proxy_to_postgres, test_settings, truncate_postgres

LOGGER = "corebank.events.dispatcher"
Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
async def proxied(postgres_url: str | None) -> AsyncIterator[tuple[TcpProxy, str]]:
    """A proxy in front of the test PostgreSQL, and the database URL through it."""
    proxy, url = await proxy_to_postgres(postgres_url)
    yield proxy, url
    await proxy.stop()


@pytest.fixture(params=["INFO", "DEBUG"])
async def app(
    request: pytest.FixtureRequest,
    proxied: tuple[TcpProxy, str],
    settings_overrides: dict[str, Any],
) -> AsyncIterator[Any]:
    """An app on PostgreSQL through the proxy, at the log level of the parameter."""
    _, url = proxied
    settings = test_settings(
        url,
        **settings_overrides,
        log_level=request.param,
        db_breaker_failures=3,
        db_breaker_reset_seconds=0.5,
        db_pool_timeout=2,
        db_pool_pre_ping=True,
    )
    database = Database(settings)
    await truncate_postgres(database)
    app = create_app(settings, database=database)
    yield app
    await app.state.container.dispatcher.stop()
    await close_container(app.state.container)
    await database.dispose()


def logged(log_lines: Lines, event: str) -> Callable[[], bool]:
    return lambda: any(line["event"] == event for line in log_lines())


async def test_an_outage_logs_one_warning_and_one_recovery_and_loses_nothing(
    app: Any, proxied: tuple[TcpProxy, str], receiver: Receiver, log_lines: Lines
) -> None:
    proxy, _ = proxied
    db: Database = app.state.container.db
    dispatcher = app.state.container.dispatcher
    _, admin = await login_as(app, "admin")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await create_webhook(client, admin, receiver.url)
    event_id = await emit_one(db)

    await proxy.stop()
    await db.engine.dispose()
    dispatcher.start()
    await eventually(logged(log_lines, "dispatcher.outage"), seconds=10)
    await asyncio.sleep(1.5)  # more passes fail meanwhile (backoff 0.1, 0.2, 0.4, 0.8 s)
    await proxy.start()
    await eventually(logged(log_lines, "dispatcher.recovered"), seconds=10)
    await receiver.wait_for(1)

    lines = [line for line in log_lines() if line.get("logger") == LOGGER]
    outage = [line for line in lines if line["event"] == "dispatcher.outage"]
    recovered = [line for line in lines if line["event"] == "dispatcher.recovered"]
    failed = [line for line in lines if line["event"] == "dispatcher.pass_failed"]
    assert [(line["level"], line["error"]) for line in outage] == [
        ("warning", "ServiceUnavailable")
    ]
    assert "exception" not in outage[0]
    assert [line["level"] for line in recovered] == ["info"]
    assert recovered[0]["failures"] >= 3
    assert not [line for line in lines if line["level"] == "error"]
    if db.settings.log_level == "DEBUG":
        assert len(failed) == recovered[0]["failures"]
        assert all(line["level"] == "debug" and "exception" in line for line in failed)
    else:
        assert failed == []
    assert receiver.event_ids() == [event_id]  # delivered once, after the outage


def test_an_outage_is_the_database_failing_and_anything_else_is_a_bug() -> None:
    from corebank.core.errors import ServiceUnavailable
    from corebank.events.dispatcher import is_outage

    assert is_outage(ServiceUnavailable("The database is unavailable; try again shortly."))
    assert is_outage(ConnectionRefusedError("connection refused"))
    assert not is_outage(KeyError("endpoint_id"))
    assert not is_outage(ValueError("bad payload"))
