"""Fixtures: settings, a migrated database per backend (clean for every test), app and client.

Database tests run once on SQLite and once on PostgreSQL. PostgreSQL and Redis tests skip with
a reason when the server is unreachable, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as redis_asyncio
from sqlalchemy.ext.asyncio import create_async_engine

from corebank.config import Settings
from corebank.container import close_container
from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.core.migrate import upgrade
from corebank.main import create_app
from tests.support import (
    PG_ADMIN_DSN,
    REDIS_URL,
    test_settings,
    truncate_postgres,
    unavailable,
    worker_suffix,
)

BACKENDS = ["sqlite", "postgres"]


# --- SQLite -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
async def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    engine = Database(test_settings(f"sqlite+aiosqlite:///{path}")).engine
    await upgrade(engine)
    await engine.dispose()
    return path


# --- PostgreSQL ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
async def postgres_url() -> AsyncIterator[str | None]:
    """A dedicated test database migrated to head once, or None when PostgreSQL is down."""
    # One database per test process, so parallel runs on one server never collide.
    name = f"corebank_test_{worker_suffix()}_{os.getpid()}"
    try:
        admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError):
        yield None
        return
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    url = f"{base}/{name}"
    engine = create_async_engine(url)
    await upgrade(engine)
    await engine.dispose()
    yield url
    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


# --- per-test database, app and client ----------------------------------------------------


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "test.db"
        shutil.copyfile(template, target)
        return f"sqlite+aiosqlite:///{target}"
    url = request.getfixturevalue("postgres_url")
    if url is None:
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_DSN}")
    return url


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to change settings for its app."""
    return {}


@pytest.fixture
def settings(database_url: str, settings_overrides: dict[str, Any]) -> Settings:
    return test_settings(database_url, **settings_overrides)


@pytest.fixture
async def db(settings: Settings, backend: str) -> AsyncIterator[Database]:
    database = Database(settings)
    if backend == "postgres":
        await truncate_postgres(database)
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FrozenClock:
    """The app's clock; tests move it with `clock.advance(minutes=...)`."""
    return FrozenClock()


@pytest.fixture
async def app(settings: Settings, db: Database, clock: FrozenClock) -> AsyncIterator[Any]:
    """The app on the test's database; its clients (Redis, hash threads) closed afterwards."""
    app = create_app(settings, database=db, clock=clock)
    yield app
    await close_container(app.state.container)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


class _Collector(logging.Handler):
    def __init__(self, formatter: logging.Formatter | None) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines(app: Any) -> Iterator[Any]:
    """Call the returned function to get every log line (parsed JSON) written so far."""
    root = logging.getLogger()
    collector = _Collector(root.handlers[0].formatter if root.handlers else None)
    root.addHandler(collector)

    def read() -> list[dict[str, Any]]:
        return [json.loads(line) for line in collector.lines]

    read.raw = collector.lines  # type: ignore[attr-defined]
    yield read
    root.removeHandler(collector)


# --- Redis ---------------------------------------------------------------------------------


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """This worker's Redis database, flushed before and after the test."""
    client = redis_asyncio.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        await client.flushdb()
    except OSError as exc:
        unavailable(f"Redis is unreachable at {REDIS_URL}: {exc}")
    except redis_asyncio.RedisError as exc:
        unavailable(f"Redis is unreachable at {REDIS_URL}: {exc}")
    yield REDIS_URL
    await client.flushdb()
    await client.aclose()
