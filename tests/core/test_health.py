"""Liveness, readiness and the detailed report, with the database up and down."""

from typing import Any

import httpx
import pytest
from sqlalchemy import text

from corebank.core.db import Database
from corebank.main import create_app
from tests.support import login_as, test_settings

DEAD_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:1/none"


@pytest.fixture
async def dead_db_client() -> Any:
    settings = test_settings(DEAD_POSTGRES, db_pool_timeout=1)
    database = Database(settings)
    app = create_app(settings, database=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await database.dispose()


async def test_ready_when_database_answers_at_head(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "at head"}


async def test_readiness_logs_no_alembic_lines(client: httpx.AsyncClient, log_lines: Any) -> None:
    assert (await client.get("/health/ready")).status_code == 200
    lines = log_lines()
    assert [line["event"] for line in lines] == ["http.request"]  # the access line only
    assert not [line for line in lines if line["logger"].startswith("alembic")]


async def test_not_ready_when_schema_is_behind(client: httpx.AsyncClient, db: Database) -> None:
    async with db.engine.begin() as connection:
        head = await connection.scalar(text("SELECT version_num FROM alembic_version"))
        await connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'old'")
    try:
        response = await client.get("/health/ready")
    finally:  # the PostgreSQL test database is shared by the session's tests: put it back
        async with db.engine.begin() as connection:
            await connection.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head}
            )
    assert response.status_code == 503
    assert response.json()["migrations"] == "at old, not head"


async def test_not_ready_when_database_is_unreachable(dead_db_client: httpx.AsyncClient) -> None:
    response = await dead_db_client.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["database"] == "down"


async def open_the_breaker(db: Database) -> None:
    """Count as many connection failures as it takes to open the database's breaker."""
    for _ in range(db.breaker.failure_threshold):
        with pytest.raises(ConnectionError):
            async with db.breaker:
                raise ConnectionError("connection refused")


async def test_not_ready_while_the_database_breaker_is_open(
    app: Any, client: httpx.AsyncClient, db: Database
) -> None:
    _, headers = await login_as(app)
    await open_the_breaker(db)

    ready = await client.get("/health/ready")
    me = await client.get("/api/v1/users/me", headers=headers)

    assert db.breaker.state == "open"
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "down",
        "database": "down",
        "migrations": "unknown",
        "reason": "circuit breaker open",
    }
    assert 1 <= int(ready.headers["retry-after"]) <= db.settings.db_breaker_reset_seconds
    assert me.status_code == 503  # readiness says what requests meet
    assert me.json()["type"].endswith("/database-unavailable")


async def test_liveness_ignores_a_dead_database(dead_db_client: httpx.AsyncClient) -> None:
    assert (await dead_db_client.get("/health")).status_code == 200


async def test_detailed_reports_each_dependency(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/detailed")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    database = body["dependencies"]["database"]
    assert database["status"] == "ok"
    assert database["required"] is True
    assert database["latency_ms"] >= 0


async def test_detailed_is_503_and_secret_free_when_database_is_down(
    dead_db_client: httpx.AsyncClient,
) -> None:
    response = await dead_db_client.get("/health/detailed")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert "127.0.0.1:1" not in response.text
    assert "postgres" not in response.text
