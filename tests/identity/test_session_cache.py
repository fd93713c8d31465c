"""The per-request session check kept in the process.

A repeated authenticated read sends one statement (its own), and every change to a session or
a user is refused at once: in one process exactly, across instances through Redis, and with
Redis unreachable the cache is bypassed rather than trusted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import redis.asyncio as redis_asyncio
from sqlalchemy import event

from corebank.core.db import Database
from corebank.identity.session_cache import (
    SESSIONS_KEY,
    USERS_KEY,
    SessionCache,
    SessionCheck,
    cache_enabled,
    mark_users,
)
from corebank.models import User
from tests.identity.helpers import bearer, register, tokens
from tests.ledger.helpers import make_customer, open_account
from tests.support import STRONG_PASSWORD, login_as, test_settings

ME = "/api/v1/users/me"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """The cache on for both backends: the test app is the only process (PostgreSQL without
    Redis leaves it off by default)."""
    return {"session_cache_enabled": True}


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """Every statement sent while the block runs, on SQLAlchemy and on the driver."""
    sent: list[str] = []

    def capture(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        sent.append(sql)

    def observe(sql: str, _seconds: float) -> None:
        sent.append(sql)

    event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
    db.statement_observers.append(observe)
    try:
        yield sent
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
        db.statement_observers.remove(observe)


def touches_sessions(sql: str) -> bool:
    return "auth_sessions" in sql


async def test_a_repeated_account_read_sends_only_the_account_statement(
    app: Any, client: httpx.AsyncClient, db: Database
) -> None:
    _, staff = await login_as(app, "staff")
    customer = await make_customer(app)
    account = await open_account(client, staff, customer_id=customer.id)
    path = f"/api/v1/accounts/{account['id']}"
    assert (await client.get(path, headers=staff)).status_code == 200
    with statements(db) as sent:
        read = await client.get(path, headers=staff)
    assert read.status_code == 200
    queries = [sql for sql in sent if sql.split()[0] not in ("BEGIN", "COMMIT", "ROLLBACK")]
    assert len(queries) == 1 and not touches_sessions(queries[0]), sent


@pytest.mark.parametrize(
    "change",
    ["logout", "revoke", "password", "deactivate", "delete", "demote"],
)
async def test_every_change_is_refused_on_the_next_request(
    app: Any, client: httpx.AsyncClient, change: str
) -> None:
    """The victim's token was just used (so its check is cached) when the change lands."""
    _, admin = await login_as(app, "admin")
    assert (await register(client)).is_success
    victim = bearer((await tokens(client))["access_token"])
    other = bearer((await tokens(client))["access_token"])  # a second session of the same user
    me = (await client.get(ME, headers=victim)).json()
    assert (await client.get(ME, headers=victim)).status_code == 200
    await _apply(client, change, victim=victim, other=other, admin=admin, user_id=me["id"])
    refused = await client.get(ME, headers=victim)
    if change == "demote":  # still a session, but no longer staff
        assert refused.status_code == 200 and refused.json()["role"] == "customer"
        assert (await client.get("/api/v1/customers", headers=victim)).status_code == 403
    else:
        assert refused.status_code == 401, (change, refused.text)


async def _apply(
    client: httpx.AsyncClient,
    change: str,
    *,
    victim: dict[str, str],
    other: dict[str, str],
    admin: dict[str, str],
    user_id: int,
) -> None:
    if change == "logout":
        response = await client.post("/api/v1/auth/logout", headers=victim)
    elif change == "revoke":
        listed = (await client.get("/api/v1/auth/sessions", headers=other)).json()
        current = [s for s in listed if not s.get("current")]
        response = await client.delete(f"/api/v1/auth/sessions/{current[0]['id']}", headers=other)
    elif change == "password":
        response = await client.post(
            "/api/v1/auth/password/change",
            headers=other,
            json={"current_password": STRONG_PASSWORD, "new_password": "An0ther-Str0ng-Pass!"},
        )
    elif change == "deactivate":
        response = await client.patch(
            f"/api/v1/users/{user_id}", headers=admin, json={"is_active": False}
        )
    elif change == "delete":
        response = await client.delete(f"/api/v1/users/{user_id}", headers=admin)
    else:
        await client.patch(f"/api/v1/users/{user_id}", headers=admin, json={"role": "staff"})
        response = await client.patch(
            f"/api/v1/users/{user_id}", headers=admin, json={"role": "customer"}
        )
    assert response.is_success, (change, response.text)


# --- the cache itself ----------------------------------------------------------------------

NOW = datetime(2026, 12, 6, tzinfo=UTC)
CHECK = SessionCheck(
    role="customer",
    is_active=True,
    deleted_at=None,
    revoked_at=None,
    expires_at=NOW,
    last_seen_at=NOW,
    required_action=None,
)


def local_cache(**overrides: Any) -> SessionCache:
    values: dict[str, Any] = {
        "enabled": True,
        "redis_url": None,
        "ttl_seconds": 60.0,
        "max_entries": 100,
    }
    return SessionCache(**(values | overrides))


def test_a_read_that_raced_a_change_is_not_kept() -> None:
    cache = local_cache()
    since = cache.generation  # the read begins ...
    cache.drop(user_ids=[7])  # ... a revocation commits meanwhile ...
    cache.store(session_id=1, user_id=7, check=CHECK, since=since)  # ... the read ends
    assert cache.get(session_id=1, user_id=7) is None
    cache.store(session_id=1, user_id=7, check=CHECK, since=cache.generation)
    assert cache.get(session_id=1, user_id=7) == CHECK


def test_drops_by_user_and_by_session_and_checks_the_owner() -> None:
    cache = local_cache()
    for session_id, user_id in [(1, 7), (2, 7), (3, 8)]:
        cache.store(session_id=session_id, user_id=user_id, check=CHECK, since=cache.generation)
    assert cache.get(session_id=3, user_id=7) is None  # a token naming someone else's session
    cache.drop(user_ids=[7])
    assert [cache.get(session_id=s, user_id=u) for s, u in [(1, 7), (2, 7)]] == [None, None]
    assert cache.get(session_id=3, user_id=8) == CHECK
    cache.drop(session_ids=[3])
    assert cache.get(session_id=3, user_id=8) is None


def test_entries_expire_and_the_size_is_bounded() -> None:
    cache = local_cache(ttl_seconds=0.05, max_entries=2)
    for session_id in (1, 2, 3):
        cache.store(session_id=session_id, user_id=7, check=CHECK, since=cache.generation)
    assert cache.get(session_id=1, user_id=7) is None  # the oldest made room
    assert cache.get(session_id=3, user_id=7) == CHECK
    time.sleep(0.06)
    assert cache.get(session_id=3, user_id=7) is None


def test_a_disabled_cache_keeps_nothing() -> None:
    cache = local_cache(enabled=False)
    cache.store(session_id=1, user_id=7, check=CHECK, since=cache.generation)
    assert cache.get(session_id=1, user_id=7) is None


def test_by_default_the_cache_is_on_where_every_process_hears_every_change() -> None:
    def enabled(url: str, **values: Any) -> bool:
        return cache_enabled(test_settings(url, **values))

    postgres = "postgresql+asyncpg://u@h/db"
    assert enabled("sqlite+aiosqlite:///x.db") is True  # one machine
    assert enabled(postgres, redis_url="redis://127.0.0.1:6379/0") is True
    assert enabled(postgres) is False  # other instances could not tell this one
    assert enabled(postgres, session_cache_enabled=True) is True  # "this is the only process"
    assert enabled("sqlite+aiosqlite:///x.db", session_cache_enabled=False) is False


async def test_a_lockout_or_pin_counter_change_keeps_the_users_sessions(
    app: Any, client: httpx.AsyncClient, db: Database
) -> None:
    user, headers = await login_as(app, "staff")
    assert (await client.get(ME, headers=headers)).status_code == 200
    async with db.transaction() as session:
        row = await session.get(User, user.id)
        row.pin_failed_count = 2  # a counter, not a column the session check reads
    with statements(db) as sent:
        assert (await client.get(ME, headers=headers)).status_code == 200
    assert not any(map(touches_sessions, sent)), sent  # still answered from the cache


async def test_a_failed_transaction_still_drops_what_it_marked(app: Any, db: Database) -> None:
    """Its COMMIT may have reached the server before the failure: dropping is the safe side."""
    cache = app.state.container.auth.session_cache
    cache.store(session_id=1, user_id=7, check=CHECK, since=cache.generation)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            mark_users(session.info, [7])
            raise RuntimeError("after the change, before the end")
    assert cache.get(session_id=1, user_id=7) is None


# --- across instances, through Redis -------------------------------------------------------


async def eventually(condition: Callable[[], bool], *, within: float) -> float:
    """Seconds until `condition` held; fails if it did not within `within` seconds."""
    started = time.monotonic()
    while not condition():
        elapsed = time.monotonic() - started
        assert elapsed < within, f"not within {within} s"
        await asyncio.sleep(0.002)
    return time.monotonic() - started


async def test_a_change_announced_elsewhere_is_dropped_within_100_ms(redis_url: str) -> None:
    here, there = local_cache(redis_url=redis_url), local_cache(redis_url=redis_url)
    here.start()
    try:
        here.store(session_id=1, user_id=7, check=CHECK, since=here.generation)
        assert here.get(session_id=1, user_id=7) is None  # not subscribed yet: not trusted
        await eventually(lambda: here.trusted, within=2)
        for session_id, user_id in [(1, 7), (2, 8)]:
            here.store(session_id=session_id, user_id=user_id, check=CHECK, since=here.generation)
        await there.announce({USERS_KEY: {7}})
        await eventually(lambda: here.get(session_id=1, user_id=7) is None, within=0.1)
        await there.announce({SESSIONS_KEY: {2}})
        await eventually(lambda: here.get(session_id=2, user_id=8) is None, within=0.1)
    finally:
        await here.close()
        await there.close()


async def test_a_process_with_the_cache_off_still_announces(redis_url: str) -> None:
    listening, off = (
        local_cache(redis_url=redis_url),
        local_cache(redis_url=redis_url, enabled=False),
    )
    listening.start()
    try:
        await eventually(lambda: listening.trusted, within=2)
        listening.store(session_id=1, user_id=7, check=CHECK, since=listening.generation)
        await off.announce({USERS_KEY: {7}})
        await eventually(lambda: listening.get(session_id=1, user_id=7) is None, within=0.1)
    finally:
        await listening.close()
        await off.close()


async def test_a_lost_channel_is_bypassed_until_it_is_back(redis_url: str) -> None:
    cache = local_cache(redis_url=redis_url)
    cache.start()
    admin = redis_asyncio.from_url(redis_url)
    try:
        await eventually(lambda: cache.trusted, within=2)
        cache.store(session_id=1, user_id=7, check=CHECK, since=cache.generation)
        await admin.client_kill_filter(_type="pubsub", skipme=True)
        await eventually(lambda: not cache.trusted, within=0.1)
        assert cache.get(session_id=1, user_id=7) is None
        await eventually(lambda: cache.trusted, within=3)  # subscribed again, and empty
        assert cache.get(session_id=1, user_id=7) is None
    finally:
        await cache.close()
        await admin.aclose()


class TestAppWithRedis:
    """An app told to use Redis, whose subscription never started (the test client runs no
    lifespan): nothing is trusted, so every request reads its session."""

    @pytest.fixture
    def settings_overrides(self, redis_url: str) -> dict[str, Any]:
        return {"redis_url": redis_url}

    async def test_every_request_reads_its_session(
        self, app: Any, client: httpx.AsyncClient, db: Database
    ) -> None:
        _, headers = await login_as(app, "staff")
        for _ in range(2):
            with statements(db) as sent:
                assert (await client.get(ME, headers=headers)).status_code == 200
            assert any(map(touches_sessions, sent)), sent
