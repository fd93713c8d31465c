"""DATABASE_REPLICA_URL: which reads go to the replica, read-your-own-writes, the fallback.

The "replica" here is the test database reached through a TcpProxy (so a read that went to it
is counted by `corebank_db_routed_reads_total{target="replica"}`, and cutting the proxy makes
it unreachable); tests/core/test_replica.py runs the same path against a real streaming
replica. SQLite refuses the setting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from pydantic import ValidationError

from corebank.container import close_container
from corebank.core.db import Database
from corebank.core.replica import READ_PRIMARY_COOKIE, READ_PRIMARY_HEADER
from corebank.main import create_app
from tests.customers.helpers import URL as CUSTOMERS
from tests.customers.helpers import create, payload
from tests.ledger.helpers import API, funded_account
from tests.support import TcpProxy, login_as, proxy_to_postgres, test_settings, truncate_postgres

TARGETS = ("primary", "replica", "fallback")


def routed() -> dict[str, float]:
    """The routed-reads counter, by target."""
    return {
        target: REGISTRY.get_sample_value("corebank_db_routed_reads_total", {"target": target})
        or 0.0
        for target in TARGETS
    }


def routed_since(before: dict[str, float]) -> dict[str, float]:
    now = routed()
    return {target: now[target] - before[target] for target in TARGETS}


@pytest.fixture
async def replicated(postgres_url: str | None) -> AsyncIterator[tuple[Any, TcpProxy]]:
    """An app whose replica is the test database behind a proxy the test can cut."""
    proxy, replica_url = await proxy_to_postgres(postgres_url)
    assert postgres_url is not None
    settings = test_settings(
        postgres_url,
        database_replica_url=replica_url,
        replica_retry_seconds=0.5,
        replica_timeout_seconds=1,
    )
    database = Database(settings)
    await truncate_postgres(database)
    app = create_app(settings, database=database)
    yield app, proxy
    await close_container(app.state.container)
    await proxy.stop()
    await database.dispose()


def client_of(app: Any) -> httpx.AsyncClient:
    """A client of its own (its own cookie jar: another browser, or an API client)."""
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def test_lists_history_statement_and_balance_read_from_the_replica(
    replicated: tuple[Any, TcpProxy],
) -> None:
    app, _ = replicated
    _, staff = await login_as(app, "staff")
    async with client_of(app) as writer, client_of(app) as reader:
        customer = await create(writer, staff, first_name="Grace")
        account, _, _ = await funded_account(writer, app, staff, "250.00")
        url = f"{API}/accounts/{account['id']}"

        before = routed()
        listed = await reader.get(CUSTOMERS, headers=staff)
        history = await reader.get(f"{url}/transactions", headers=staff)
        statement = await reader.get(f"{url}/statement", headers=staff)
        balance = await reader.get(f"{url}/balance", headers=staff)
        assert routed_since(before) == {"primary": 0, "replica": 4, "fallback": 0}

    assert customer["id"] in [item["id"] for item in listed.json()["items"]]
    assert [item["amount"] for item in history.json()["items"]] == ["250.00"]
    assert statement.json()["closing_balance"] == "250.00"
    assert balance.json()["balance"] == "250.00"


async def test_a_client_that_just_wrote_reads_from_the_primary(
    replicated: tuple[Any, TcpProxy],
) -> None:
    app, _ = replicated
    _, staff = await login_as(app, "staff")
    async with client_of(app) as browser, client_of(app) as api_client:
        response = await browser.post(CUSTOMERS, headers=staff, json=payload(first_name="Margaret"))
        assert response.status_code == 201
        until = float(response.headers[READ_PRIMARY_HEADER])
        assert time.time() < until <= time.time() + 5
        assert f"{READ_PRIMARY_COOKIE}=" in response.headers["set-cookie"]
        assert "HttpOnly" in response.headers["set-cookie"]

        before = routed()
        by_cookie = await browser.get(CUSTOMERS, headers=staff)  # the jar sends the cookie back
        echoed = await api_client.get(CUSTOMERS, headers={**staff, READ_PRIMARY_HEADER: str(until)})
        unmarked = await api_client.get(CUSTOMERS, headers=staff)
        assert routed_since(before) == {"primary": 2, "replica": 1, "fallback": 0}
        assert by_cookie.json()["items"][0]["id"] == response.json()["id"]
        assert echoed.json()["items"][0]["id"] == response.json()["id"]
        assert unmarked.json()["items"][0]["id"] == response.json()["id"]  # no lag here
        assert READ_PRIMARY_HEADER not in by_cookie.headers  # a read marks nothing


async def test_expired_far_future_and_garbled_marks_are_ignored(
    replicated: tuple[Any, TcpProxy],
) -> None:
    app, _ = replicated
    _, staff = await login_as(app, "staff")
    async with client_of(app) as client:
        before = routed()
        for mark in (str(time.time() - 1), str(time.time() + 3600), "soon", "nan"):
            response = await client.get(CUSTOMERS, headers={**staff, READ_PRIMARY_HEADER: mark})
            assert response.status_code == 200
        assert routed_since(before) == {"primary": 0, "replica": 4, "fallback": 0}


async def test_a_refused_write_marks_nothing(replicated: tuple[Any, TcpProxy]) -> None:
    app, _ = replicated
    _, staff = await login_as(app, "staff")
    async with client_of(app) as client:
        refused = await client.post(CUSTOMERS, headers=staff, json={"first_name": "Only"})
        assert refused.status_code == 422
        assert READ_PRIMARY_HEADER not in refused.headers
        assert "set-cookie" not in refused.headers
        listed = await client.get(CUSTOMERS, headers=staff)
    assert listed.json()["items"] == []


async def test_replica_down_reads_fall_back_and_health_is_degraded_until_it_returns(
    replicated: tuple[Any, TcpProxy],
) -> None:
    app, proxy = replicated
    db: Database = app.state.container.db
    _, staff = await login_as(app, "staff")
    async with client_of(app) as writer, client_of(app) as reader:
        customer = await create(writer, staff, first_name="Hedy")
        assert (await reader.get(CUSTOMERS, headers=staff)).status_code == 200

        await proxy.stop()  # the replica's connections drop and new ones are refused
        before = routed()
        listed = await reader.get(CUSTOMERS, headers=staff)
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json()["items"]] == [customer["id"]]
        assert db.replica_breaker.state == "open"
        started = time.perf_counter()
        again = await reader.get(CUSTOMERS, headers=staff)  # the breaker skips the replica
        assert again.status_code == 200 and time.perf_counter() - started < 0.5
        assert routed_since(before) == {"primary": 0, "replica": 0, "fallback": 2}

        health = await reader.get("/health/detailed")
        assert health.status_code == 200
        report = health.json()
        assert report["status"] == "degraded"
        assert report["dependencies"]["replica"]["status"] == "down"
        assert report["dependencies"]["replica"]["required"] is False
        assert report["dependencies"]["database"]["status"] == "ok"
        assert (await reader.get("/health/ready")).status_code == 200

        await proxy.start()
        await asyncio.sleep(0.6)  # REPLICA_RETRY_SECONDS
        before = routed()
        assert (await reader.get(CUSTOMERS, headers=staff)).status_code == 200
        assert routed_since(before) == {"primary": 0, "replica": 1, "fallback": 0}
        assert db.replica_breaker.state == "closed"
        healthy = (await reader.get("/health/detailed")).json()
        assert healthy["status"] == "ok" and healthy["dependencies"]["replica"]["status"] == "ok"


async def test_money_movements_and_auth_checks_never_touch_the_replica(
    replicated: tuple[Any, TcpProxy],
) -> None:
    app, proxy = replicated
    _, staff = await login_as(app, "staff")
    await proxy.stop()
    async with client_of(app) as client:
        before = routed()
        account, _, _ = await funded_account(client, app, staff, "40.00")
        fetched = await client.get(f"{API}/accounts/{account['id']}", headers=staff)
        assert fetched.status_code == 200 and fetched.json()["balance"] == "40.00"
        assert routed_since(before) == {"primary": 0, "replica": 0, "fallback": 0}
    assert app.state.container.db.replica_breaker.state == "closed"


def test_sqlite_refuses_a_replica_url() -> None:
    with pytest.raises(ValidationError, match="DATABASE_REPLICA_URL needs a PostgreSQL"):
        test_settings(
            "sqlite+aiosqlite:///./x.db",
            database_replica_url="postgresql+asyncpg://postgres@127.0.0.1:5433/corebank",
        )


def test_a_replica_url_must_be_postgresql() -> None:
    with pytest.raises(ValidationError, match="postgresql"):
        test_settings(
            "postgresql+asyncpg://postgres@127.0.0.1:5432/corebank",
            database_replica_url="mysql://127.0.0.1/corebank",
        )


async def test_without_a_replica_nothing_is_marked_and_reads_stay_on_the_primary(
    client: httpx.AsyncClient, app: Any
) -> None:
    _, staff = await login_as(app, "staff")
    before = routed()
    created = await create(client, staff, first_name="Ada")
    listed = await client.get(CUSTOMERS, headers=staff)
    assert [item["id"] for item in listed.json()["items"]] == [created["id"]]
    assert READ_PRIMARY_HEADER not in listed.headers
    assert routed_since(before) == {"primary": 1, "replica": 0, "fallback": 0}
    assert "replica" not in (await client.get("/health/detailed")).json()["dependencies"]
