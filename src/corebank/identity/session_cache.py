"""The per-request session check, kept in the process while every instance can be told of changes.

Every authenticated request needs its session's and user's state (role, active, revoked,
expiry, required action). Reading it from the database is a pool checkout and a round trip
per request; this cache keeps it in the process, and is trusted only while a change made
anywhere reaches it at once:

- A transaction that changes a user or a session (revocation, logout, password change,
  deactivation, deletion, role change, a required action set or lifted) marks the ids in its
  session's `info` (`mark_users`, `mark_sessions`, or the ORM flush listener for changes made
  through User and AuthSession objects). After the commit, `announce` drops them here and
  publishes them on a Redis channel that every instance subscribes to; each drops them on
  receipt (a millisecond or two on one network).
- With REDIS_URL set, the cache is used only while this process's subscription is up: it is
  cleared and bypassed (every request reads the database) from the moment the channel fails
  until it is subscribed again. A channel that goes silent without an error (a partition) is
  caught by the heartbeat: trust lapses TRUST_SECONDS after the channel was last heard, and a
  change announced in that window is the one case the rule is bounded by that, not 100 ms.
- Without Redis the cache is on by default only for SQLite (one machine; `corebank serve
  --workers N` turns it off), where dropping the ids here is exact; on PostgreSQL without Redis
  several instances may share the database, so it is off unless SESSION_CACHE_ENABLED=true
  says there is one process. A process with the cache off still announces its changes.
- The hook runs when the transaction ends, committed or not (an extra drop is harmless; a
  commit whose acknowledgement was lost must not skip it).
- A read that raced a change cannot store what it read: every drop moves `generation`, and a
  read stores its result only if the generation has not moved since it began.
- Entries also expire after SESSION_CACHE_TTL_SECONDS (2): the bound on staleness if an
  instance could not publish a change (three attempts) while the others could still hear the
  channel (a partition between one instance and Redis), and for changes made outside the app
  with plain SQL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import orjson
import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, UOWTransaction

from corebank.config import Settings
from corebank.models.user import AuthSession, User

log = structlog.get_logger(__name__)

USERS_KEY = "corebank.auth.changed_users"
SESSIONS_KEY = "corebank.auth.changed_sessions"
HEARTBEAT_SECONDS = 0.5
#: How long after the channel was last heard from the cache is still trusted.
TRUST_SECONDS = 3 * HEARTBEAT_SECONDS
RECONNECT_SECONDS = 0.5
REDIS_TIMEOUT_SECONDS = 0.25
PUBLISH_ATTEMPTS = 3


@dataclass(frozen=True)
class SessionCheck:
    """What an authenticated request needs of its user and session."""

    role: str
    is_active: bool
    deleted_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime
    last_seen_at: datetime
    required_action: str | None


@dataclass
class _Entry:
    user_id: int
    check: SessionCheck
    stored_at: float


def mark_users(info: dict[str, Any], user_ids: Iterable[int]) -> None:
    """Note, in a transaction's session info, users whose state changed in it."""
    info.setdefault(USERS_KEY, set()).update(user_ids)


def mark_sessions(info: dict[str, Any], session_ids: Iterable[int]) -> None:
    """Note, in a transaction's session info, sessions whose state changed in it."""
    info.setdefault(SESSIONS_KEY, set()).update(session_ids)


#: The columns a session check reads (SessionCheck), per model.
_CHECKED = {
    User: ("role", "is_active", "deleted_at"),
    AuthSession: ("revoked_at", "expires_at", "required_action", "user_id"),
}


def _changes_check(instance: object, *, deleted: bool) -> bool:
    columns = _CHECKED.get(type(instance))
    if columns is None:
        return False
    if deleted:
        return True
    attrs = inspect(instance).attrs
    return any(attrs[name].history.has_changes() for name in columns)


def _mark_flushed_changes(session: Session, _: UOWTransaction) -> None:
    """After a flush (the ORM's pre-flush state is still visible): mark the users and sessions
    whose checked columns changed (a PIN or lockout counter does not drop anyone's sessions)."""
    for changed, deleted in (
        *((obj, False) for obj in session.dirty),
        *((obj, True) for obj in session.deleted),
    ):
        if not _changes_check(changed, deleted=deleted):
            continue
        if isinstance(changed, User):
            mark_users(session.info, [changed.id])
        else:
            mark_sessions(session.info, [changed.id])


def track_orm_changes() -> None:
    """Mark every User or AuthSession changed through the ORM (idempotent)."""
    if not event.contains(Session, "after_flush", _mark_flushed_changes):
        event.listen(Session, "after_flush", _mark_flushed_changes)


def cache_enabled(settings: Settings) -> bool:
    """SESSION_CACHE_ENABLED, or by default: on where every process hears every change (with
    Redis) or where there is one machine's database (SQLite); off for PostgreSQL without
    Redis, where several instances may share the database without a channel between them."""
    if settings.session_cache_enabled is not None:
        return settings.session_cache_enabled
    return settings.redis_url is not None or settings.is_sqlite


class SessionCache:
    """Session checks by session id, in this process; see the module's docstring for the rules."""

    def __init__(
        self, *, enabled: bool, redis_url: str | None, ttl_seconds: float, max_entries: int
    ) -> None:
        self.enabled = enabled
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.generation = 0
        self._entries: dict[int, _Entry] = {}
        self._redis: Redis | None = (
            Redis.from_url(
                redis_url,
                socket_timeout=REDIS_TIMEOUT_SECONDS,
                socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            )
            if redis_url
            else None
        )
        #: Per Redis database: channels are server-wide, databases are not.
        self.channel = f"corebank:{_database_of(self._redis)}:auth:changed"
        self._listening = self._redis is None
        self._heard_at = 0.0
        self._listener: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionCache:
        return cls(
            enabled=cache_enabled(settings),
            redis_url=settings.redis_url,
            ttl_seconds=settings.session_cache_ttl_seconds,
            max_entries=settings.session_cache_max_entries,
        )

    @property
    def trusted(self) -> bool:
        """Whether a change made on any instance is known to reach this cache."""
        if not self.enabled or not self._listening:
            return False
        if self._redis is None:
            return True
        return time.monotonic() - self._heard_at < TRUST_SECONDS

    def get(self, *, session_id: int, user_id: int) -> SessionCheck | None:
        """The cached check of a session, or None (not cached, expired, or not trusted now)."""
        if not self.trusted:
            return None
        entry = self._entries.get(session_id)
        if entry is None or entry.user_id != user_id:
            return None
        if time.monotonic() - entry.stored_at >= self.ttl_seconds:
            self._entries.pop(session_id, None)
            return None
        return entry.check

    def store(self, *, session_id: int, user_id: int, check: SessionCheck, since: int) -> None:
        """Keep `check`, read from the database after `generation` was `since`, unless a change
        was announced in between (then what was read may already be stale)."""
        if not self.trusted or since != self.generation:
            return
        if len(self._entries) >= self.max_entries and session_id not in self._entries:
            self._entries.pop(next(iter(self._entries)))
        self._entries[session_id] = _Entry(user_id, check, time.monotonic())

    def seen(self, *, session_id: int, at: datetime) -> None:
        """The session's use was just recorded at `at`: the next minute's requests need not."""
        entry = self._entries.get(session_id)
        if entry is not None:
            entry.check = replace(entry.check, last_seen_at=at)

    def drop(self, *, user_ids: Iterable[int] = (), session_ids: Iterable[int] = ()) -> None:
        self.generation += 1
        users = set(user_ids)
        for session_id in session_ids:
            self._entries.pop(session_id, None)
        if users:
            stale = [sid for sid, entry in self._entries.items() if entry.user_id in users]
            for session_id in stale:
                del self._entries[session_id]

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()

    async def announce(self, info: dict[str, Any]) -> None:
        """A hook run when a transaction ends (committed or not: an extra drop is harmless, a
        missed one is not): drop what it changed here, then tell every instance. A process with
        the cache off still tells the others, which may have it on."""
        users: set[int] = info.get(USERS_KEY, set())
        sessions: set[int] = info.get(SESSIONS_KEY, set())
        if not users and not sessions:
            return
        self.drop(user_ids=users, session_ids=sessions)
        if self._redis is None:
            return
        message, error = _encode(users, sessions), ""
        for attempt in range(PUBLISH_ATTEMPTS):
            try:
                await self._redis.publish(self.channel, message)
                return
            except (RedisError, OSError) as exc:
                error = type(exc).__name__
                if attempt + 1 < PUBLISH_ATTEMPTS:
                    await asyncio.sleep(0.01 * (attempt + 1))
        # The others drop the entry within SESSION_CACHE_TTL_SECONDS if they can still hear
        # the channel; if Redis is down for them too, they bypass their caches.
        log.warning("session_cache.announce_failed", error=error)

    def start(self) -> None:
        """Subscribe to the change channel (with Redis); the cache is trusted once subscribed."""
        if self.enabled and self._redis is not None and self._listener is None:
            self._listener = asyncio.create_task(self._listen(), name="session-cache-listener")

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
        if self._redis is not None:
            await self._redis.aclose()

    async def _listen(self) -> None:
        assert self._redis is not None
        while True:
            try:
                await self._follow(self._redis)
            except (RedisError, OSError) as exc:
                log.warning("session_cache.channel_lost", error=type(exc).__name__)
            self._listening = False
            self.clear()
            await asyncio.sleep(RECONNECT_SECONDS)

    async def _follow(self, redis: Redis) -> None:
        """Apply announced changes; ping when quiet so that a dead channel is noticed."""
        async with redis.pubsub() as pubsub:
            await pubsub.subscribe(self.channel)
            pinged = False
            while True:
                message = await pubsub.get_message(timeout=HEARTBEAT_SECONDS)
                if message is None:
                    if pinged:
                        raise ConnectionError("the change channel did not answer a ping")
                    await pubsub.ping()
                    pinged = True
                    continue
                pinged = False
                self._heard(message)

    def _heard(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "subscribe":
            self.clear()  # anything announced before now may have been missed
            self._listening = True
        elif kind == "message":
            users, sessions = _decode(message["data"])
            self.drop(user_ids=users, session_ids=sessions)
        self._heard_at = time.monotonic()


def _database_of(redis: Redis | None) -> int:
    return int(redis.connection_pool.connection_kwargs.get("db", 0)) if redis is not None else 0


def _encode(users: Iterable[int], sessions: Iterable[int]) -> bytes:
    return orjson.dumps({"users": list(users), "sessions": list(sessions)})


def _decode(data: bytes | str) -> tuple[list[int], list[int]]:
    message = orjson.loads(data)
    return message["users"], message["sessions"]
