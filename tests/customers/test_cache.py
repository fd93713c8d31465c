"""The customer cache: never stale after a write (one instance or two sharing Redis), and a
broken cache never fails a request."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import update

from corebank.config import Settings
from corebank.core.cache import Cache, MemoryStore, invalidate_on_commit
from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.main import create_app
from corebank.models import Customer
from tests.customers.helpers import URL, create
from tests.support import REDIS_URL, auth_headers, create_user, test_settings, unavailable


class Loader:
    """A load function over a mutable 'database' value, counting its calls."""

    def __init__(self, value: bytes) -> None:
        self.value, self.calls = value, 0

    async def __call__(self) -> bytes | None:
        self.calls += 1
        return self.value


async def test_read_through_caches_after_the_first_reads() -> None:
    cache, load = Cache(MemoryStore()), Loader(b"v1")
    for _ in range(4):
        assert await cache.get_or_load("k", load) == b"v1"
    assert load.calls == 2  # the first read starts a generation, the second fills it


async def test_a_slow_reader_cannot_store_the_old_value_after_a_write() -> None:
    cache, store = Cache(MemoryStore()), Loader(b"old")
    await cache.get_or_load("k", store)
    gate, resume = asyncio.Event(), asyncio.Event()

    async def slow_load() -> bytes:
        value = store.value  # reads the old row...
        gate.set()
        await resume.wait()  # ...while a write commits and invalidates
        return value

    reader = asyncio.create_task(cache.get_or_load("k", slow_load))
    await gate.wait()
    store.value = b"new"
    await cache.invalidate("k")
    resume.set()
    assert await reader == b"old"  # that reader saw the old row: fine, it started first
    assert await cache.get_or_load("k", store) == b"new"
    assert await cache.get_or_load("k", store) == b"new"


async def test_keys_changing_in_a_transaction_bypass_the_cache() -> None:
    cache, load = Cache(MemoryStore()), Loader(b"v1")
    await cache.get_or_load("k", load)
    await cache.get_or_load("k", load)
    session: Any = SimpleNamespace(info={})
    invalidate_on_commit(session, "k")
    await cache.before_commit(session)  # what the transaction hook does, before the commit
    load.value = b"v2"  # committed, but nobody called invalidate() after it
    calls = load.calls
    assert await cache.get_or_load("k", load) == b"v2"
    assert await cache.get_or_load("k", load) == b"v2"
    assert load.calls == calls + 2  # busy: every read goes to the database


class BrokenStore(MemoryStore):
    async def get(self, key: str) -> bytes | None:
        raise ConnectionError("redis is down")

    async def set(
        self, key: str, value: bytes, *, ttl: float, only_if_absent: bool = False
    ) -> bool:
        raise ConnectionError("redis is down")


async def test_a_broken_store_falls_back_to_the_database() -> None:
    cache, load = Cache(BrokenStore()), Loader(b"v")
    for _ in range(5):
        assert await cache.get_or_load("k", load) == b"v"
    await cache.invalidate("k")
    assert load.calls == 5
    assert cache.breaker.state == "open"


async def test_read_after_write_is_never_stale(
    client: httpx.AsyncClient, app: Any, db: Database
) -> None:
    _, staff = await login(app, "staff")
    out = await create(client, staff, first_name="Before")
    url = f"{URL}/{out['id']}"
    for _ in range(2):
        assert (await client.get(url, headers=staff)).json()["first_name"] == "Before"
    async with db.transaction() as session:  # behind the service's back: the cache answers
        await session.execute(update(Customer).values(last_name="Sneaky"))
    assert (await client.get(url, headers=staff)).json()["last_name"] == out["last_name"]

    await client.patch(url, headers=staff, json={"first_name": "After"})
    assert (await client.get(url, headers=staff)).json()["first_name"] == "After"
    await client.post(f"{url}/kyc", headers=staff, json={"status": "verified", "reason": "ok"})
    assert (await client.get(url, headers=staff)).json()["kyc_status"] == "verified"
    await client.delete(url, headers=staff)
    assert (await client.get(url, headers=staff)).status_code == 404


async def login(app: Any, role: str) -> tuple[Any, dict[str, str]]:
    user = await create_user(app, role=role)
    return user, await auth_headers(app, user)


@pytest.fixture
async def redis_settings(database_url: str) -> AsyncIterator[Settings]:
    redis = Redis.from_url(REDIS_URL)
    try:
        await redis.ping()
        await redis.flushdb()
    except (OSError, ConnectionError) as exc:
        await redis.aclose()
        unavailable(f"Redis is unreachable at {REDIS_URL}: {exc}")
    yield test_settings(database_url, redis_url=REDIS_URL)
    await redis.flushdb()
    await redis.aclose()


@pytest.mark.redis
async def test_two_instances_sharing_redis_never_read_stale(
    redis_settings: Settings, db: Database
) -> None:
    clock = FrozenClock()
    apps = [create_app(redis_settings, database=db, clock=clock) for _ in range(2)]
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=a), base_url="http://testserver")
        for a in apps
    ]
    try:
        await _stale_read_scenario(apps, clients)
    finally:
        for a, c in zip(apps, clients, strict=True):
            await c.aclose()
            await a.state.container.cache.close()
            await a.state.container.rate_limiter.close()


async def _stale_read_scenario(apps: list[Any], clients: list[httpx.AsyncClient]) -> None:
    (one, two), (_, staff) = clients, await login(apps[0], "staff")
    out = await create(one, staff, first_name="Shared")
    url = f"{URL}/{out['id']}"
    for client in (one, two, one, two):
        assert (await client.get(url, headers=staff)).json()["first_name"] == "Shared"
    for n in range(3):
        writer, reader = (one, two) if n % 2 else (two, one)
        patched = await writer.patch(url, headers=staff, json={"first_name": f"Name{n}"})
        assert patched.status_code == 200
        assert (await reader.get(url, headers=staff)).json()["first_name"] == f"Name{n}"
        assert (await writer.get(url, headers=staff)).json()["first_name"] == f"Name{n}"
    assert (await two.delete(url, headers=staff)).status_code == 204
    assert (await one.get(url, headers=staff)).status_code == 404


async def test_redis_down_does_not_fail_requests(database_url: str, db: Database) -> None:
    settings = test_settings(database_url, redis_url="redis://127.0.0.1:1/0")
    app = create_app(settings, database=db, clock=FrozenClock())
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    with collect_logs() as lines:
        _, staff = await login(app, "staff")
        out = await create(client, staff)
        url = f"{URL}/{out['id']}"
        for name in ("One", "Two"):
            assert (await client.patch(url, headers=staff, json={"first_name": name})).is_success
            response = await client.get(url, headers=staff)
            assert response.status_code == 200 and response.json()["first_name"] == name
    await client.aclose()
    await app.state.container.cache.close()
    await app.state.container.rate_limiter.close()
    warnings = [e for e in map(json.loads, lines) if e["event"] == "cache.unavailable"]
    assert warnings and all(e["level"] == "warning" for e in warnings)


@contextmanager
def collect_logs() -> Iterator[list[str]]:
    """Every log line written meanwhile, as formatted by the app's (JSON) handler."""
    root = logging.getLogger()
    lines: list[str] = []
    handler = logging.Handler()
    handler.setFormatter(root.handlers[0].formatter if root.handlers else None)
    handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
    root.addHandler(handler)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
