"""A small async cache: in-process or Redis behind one interface, read-through without staleness.

`CacheStore` is the interface (get, set with a TTL, delete); `MemoryStore` serves the embedded
default and `RedisStore` is used when REDIS_URL is set, so every instance shares it.

`Cache` adds the rules on top. Each cached record has a *generation* key holding a random
token; its value lives under `<key>:<token>`. A change first sets the generation to a "busy"
marker (a transaction hook, just before the commit: readers then skip the cache), and after
the commit to a fresh token. A reader that loaded the old row before the change can only store
it under the old token, which nobody reads again, so a read after a write never sees the old
value, on any instance. A cache failure never fails a request: it is logged, the circuit opens
for a while, and the database answers.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Protocol, TypeVar

import structlog
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.config import Settings
from corebank.core import metrics
from corebank.core.db import Database
from corebank.core.resilience import CircuitBreaker, CircuitOpenError

log = structlog.get_logger(__name__)
T = TypeVar("T")

PENDING_KEY = "corebank.cache.pending"
REDIS_TIMEOUT_SECONDS = 0.25
DEFAULT_TTL_SECONDS = 30.0
GENERATION_TTL_SECONDS = 24 * 3600.0
BUSY_TTL_SECONDS = 10.0
_BUSY = b"busy:"


class CacheStore(Protocol):
    """Bytes under string keys, each with a time to live."""

    async def get(self, key: str) -> bytes | None: ...

    async def set(
        self, key: str, value: bytes, *, ttl: float, only_if_absent: bool = False
    ) -> bool: ...

    async def delete(self, *keys: str) -> None: ...

    async def close(self) -> None: ...


class MemoryStore:
    """One process's cache: least recently used entries go first beyond `max_entries`."""

    def __init__(
        self, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._entries: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._max_entries = max_entries
        self._clock = clock

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[1]

    async def set(
        self, key: str, value: bytes, *, ttl: float, only_if_absent: bool = False
    ) -> bool:
        if only_if_absent and await self.get(key) is not None:
            return False
        self._entries[key] = (self._clock() + ttl, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return True

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def close(self) -> None:
        self._entries.clear()


class RedisStore:
    """The shared cache of every instance; short timeouts and no retries (the DB is the truth)."""

    def __init__(self, url: str, *, prefix: str = "corebank:cache:") -> None:
        self._redis = Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )
        self._prefix = prefix

    async def get(self, key: str) -> bytes | None:
        return await self._redis.get(self._prefix + key)

    async def set(
        self, key: str, value: bytes, *, ttl: float, only_if_absent: bool = False
    ) -> bool:
        done = await self._redis.set(
            self._prefix + key, value, px=max(1, int(ttl * 1000)), nx=only_if_absent
        )
        return bool(done)

    async def delete(self, *keys: str) -> None:
        if keys:
            await self._redis.delete(*(self._prefix + key for key in keys))

    async def close(self) -> None:
        await self._redis.aclose()


def invalidate_on_commit(session: AsyncSession, key: str) -> None:
    """Mark `key` as changing in this transaction: readers bypass its cache from the commit on."""
    session.info.setdefault(PENDING_KEY, set()).add(key)


class Cache:
    """Read-through caching of records by key, invalidated everywhere on every change."""

    def __init__(self, store: CacheStore, *, ttl: float = DEFAULT_TTL_SECONDS) -> None:
        self.store = store
        self.ttl = ttl
        self.breaker = CircuitBreaker("cache", failure_threshold=3, reset_timeout=10.0)

    async def get_or_load(
        self, key: str, load: Callable[[], Awaitable[bytes | None]]
    ) -> bytes | None:
        """The cached value of `key`, else `load()` (stored for the next reader when safe)."""
        ok, token = await self._try(lambda: self.store.get(_generation(key)))
        if not ok or (token is not None and token.startswith(_BUSY)):
            return await load()
        if token is None:  # no generation yet, or it expired: start one, read the database
            await self._set_generation(key, _fresh(), only_if_absent=True)
            return await load()
        slot = f"{key}:{token.decode()}"
        ok, hit = await self._try(lambda: self.store.get(slot))
        if ok and hit is not None:
            metrics.CACHE.labels(_family(key), "hit").inc()
            return hit
        metrics.CACHE.labels(_family(key), "miss").inc()
        value = await load()
        if ok and value is not None:
            await self._try(lambda: self.store.set(slot, value, ttl=self.ttl))
        return value

    async def invalidate(self, *keys: str) -> None:
        """After a committed change: start a new generation of each key."""
        for key in keys:
            await self._set_generation(key, _fresh())

    async def before_commit(self, session: AsyncSession) -> None:
        """A transaction hook: keys changed in this transaction turn busy before the commit."""
        for key in session.info.pop(PENDING_KEY, set()):
            await self._set_generation(key, _BUSY + _fresh(), ttl=BUSY_TTL_SECONDS)

    async def _set_generation(
        self,
        key: str,
        token: bytes,
        *,
        ttl: float = GENERATION_TTL_SECONDS,
        only_if_absent: bool = False,
    ) -> None:
        await self._try(
            lambda: self.store.set(_generation(key), token, ttl=ttl, only_if_absent=only_if_absent)
        )

    async def close(self) -> None:
        await self.store.close()

    async def _try(self, operation: Callable[[], Awaitable[T]]) -> tuple[bool, T | None]:
        """(True, result), or (False, None) when the store failed or its circuit is open."""
        try:
            async with self.breaker:
                return True, await operation()
        except CircuitOpenError:
            return False, None
        except Exception as exc:
            log.warning("cache.unavailable", error=type(exc).__name__, detail=str(exc)[:200])
            return False, None


def _family(key: str) -> str:
    """The low-cardinality part of a key ("customer" of "customer:42")."""
    return key.split(":", 1)[0]


def _fresh() -> bytes:
    return secrets.token_hex(8).encode()


def _generation(key: str) -> str:
    return f"{key}:gen"


class NullStore:
    """No caching at all (CACHE_ENABLED=false, e.g. several workers without Redis)."""

    async def get(self, key: str) -> bytes | None:
        return None

    async def set(
        self, key: str, value: bytes, *, ttl: float, only_if_absent: bool = False
    ) -> bool:
        return False

    async def delete(self, *keys: str) -> None:
        return None

    async def close(self) -> None:
        return None


def build_cache(settings: Settings) -> Cache:
    """Redis when REDIS_URL is set (shared by all instances), else this process's memory."""
    store: CacheStore
    if not settings.cache_enabled:
        store = NullStore()
    elif settings.redis_url:
        store = RedisStore(settings.redis_url)
    else:
        store = MemoryStore()
    return Cache(store)


def install_cache(settings: Settings, db: Database) -> Cache:
    """Build the app's cache and register its pre-commit hook with the database."""
    cache = build_cache(settings)
    db.transaction_hooks.append(cache.before_commit)
    return cache
