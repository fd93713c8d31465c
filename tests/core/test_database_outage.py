"""The database made unreachable: fast 503s from the breaker, readiness down, recovery."""

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from corebank.core.db import Database
from corebank.main import create_app
from tests.support import (
    PG_ADMIN_DSN,
    STRONG_PASSWORD,
    TcpProxy,
    login_as,
    proxy_to_postgres,
    test_settings,
    truncate_postgres,
)


@pytest.fixture
async def outage(postgres_url: str | None) -> AsyncIterator[tuple[Any, TcpProxy]]:
    proxy, url = await proxy_to_postgres(postgres_url)
    settings = test_settings(
        url,
        db_breaker_failures=3,
        db_breaker_reset_seconds=0.5,
        db_pool_timeout=2,
        db_pool_pre_ping=True,
    )
    database = Database(settings)
    await truncate_postgres(database)
    app = create_app(settings, database=database)
    yield app, proxy
    await proxy.stop()
    await database.dispose()


async def test_breaker_opens_fails_fast_and_recovers(outage: tuple[Any, TcpProxy]) -> None:
    app, proxy = outage
    _, headers = await login_as(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200

        await proxy.stop()
        # drop pooled connections, as a restart of PG would
        await app.state.container.db.engine.dispose()
        for _ in range(3):
            failed = await client.get("/api/v1/users/me", headers=headers)
            assert failed.status_code == 503
            assert failed.json()["type"].endswith("/database-unavailable")
        assert app.state.container.db.breaker.state == "open"

        start = time.perf_counter()
        fast = await client.get("/api/v1/users/me", headers=headers)
        assert time.perf_counter() - start < 0.1
        assert fast.status_code == 503
        assert int(fast.headers["retry-after"]) >= 1

        ready = await client.get("/health/ready")
        assert ready.status_code == 503
        detailed = (await client.get("/health/detailed")).json()
        assert detailed["status"] == "down"
        assert "open" in detailed["dependencies"]["database"]["detail"]

        await proxy.start()
        await asyncio.sleep(0.6)
        recovered = await client.get("/api/v1/users/me", headers=headers)
        assert recovered.status_code == 200
        assert app.state.container.db.breaker.state == "closed"
        assert (await client.get("/health/ready")).status_code == 200


async def test_readiness_is_503_while_the_breaker_is_open_though_the_database_is_back(
    outage: tuple[Any, TcpProxy],
) -> None:
    app, proxy = outage
    db = app.state.container.db
    _, headers = await login_as(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        await proxy.stop()
        await db.engine.dispose()
        for _ in range(3):
            assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 503
        await proxy.start()

        back = await client.get("/health/ready")  # a ping would answer; requests would not
        refused = await client.get("/api/v1/users/me", headers=headers)
        assert (back.status_code, back.json()["reason"]) == (503, "circuit breaker open")
        assert refused.status_code == 503

        await asyncio.sleep(0.6)  # past DB_BREAKER_RESET_SECONDS: the breaker is half-open
        ready = await client.get("/health/ready")
        assert ready.status_code == 200
        assert ready.json() == {"status": "ok", "database": "ok", "migrations": "at head"}
        assert db.breaker.state == "closed"  # readiness's ping was the probe that closed it
        assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200


async def test_caller_errors_do_not_open_the_breaker(outage: tuple[Any, TcpProxy]) -> None:
    app, _ = outage
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        body = {"email": "dup@example.com", "password": "Tr0ub4dor&3-horse", "full_name": "D"}
        assert (await client.post("/api/v1/auth/register", json=body)).status_code == 201
        for _ in range(5):
            assert (await client.post("/api/v1/auth/register", json=body)).status_code == 409
    assert app.state.container.db.breaker.state == "closed"


@pytest.fixture
async def full_server(postgres_url: str | None) -> AsyncIterator[str]:
    """A database URL whose role may open no connection: PostgreSQL answers every attempt
    with 53300, as it does when max_connections is reached."""
    if postgres_url is None:
        pytest.skip("needs PostgreSQL")  # the postgres_url fixture already failed under CI
    role = f"corebank_full_{secrets.token_hex(3)}"
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
        yield postgres_url.replace("postgres@", f"{role}@", 1)
    finally:
        await admin.execute(f'DROP ROLE IF EXISTS "{role}"')
        await admin.close()


async def test_a_server_out_of_connections_is_a_503(full_server: str) -> None:
    database = Database(test_settings(full_server, db_breaker_failures=100))
    app = create_app(database.settings, database=database)
    token = "Bearer " + secrets.token_urlsafe(8)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            ready = await client.get("/health/ready")
            login = await client.post(
                "/api/v1/auth/login", data={"username": "a@example.com", "password": "x" * 12}
            )
            register = await client.post(  # an ORM session, not the driver path
                "/api/v1/auth/register",
                json={"email": "b@example.com", "password": STRONG_PASSWORD, "full_name": "B"},
            )
            read = await client.get("/api/v1/users/me", headers={"Authorization": token})
    finally:
        await database.dispose()
    assert ready.status_code == 503
    assert login.status_code == 503, login.text
    assert login.json()["type"].endswith("/database-unavailable")
    assert register.status_code == 503, register.text
    assert register.json()["type"].endswith("/database-unavailable")
    assert read.status_code == 401  # a token that is not ours never reaches the database
