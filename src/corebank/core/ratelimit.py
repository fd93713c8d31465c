"""Rate limits with the `limits` library's async API: Redis when configured, memory otherwise.

When Redis fails the limiter switches at once to in-process counters with the same rules
(a warning is logged and `fallback_active` is set), probes Redis in the background with
backoff, and switches back when it answers. No request fails because Redis is down.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import redis.asyncio as redis_asyncio
import structlog
from fastapi import Request
from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corebank.config import Settings
from corebank.core.errors import RateLimited, problem_response
from corebank.core.middleware import SET, edit_headers, header_value

log = structlog.get_logger(__name__)

MAX_PROBE_BACKOFF_SECONDS = 30.0
REDIS_TIMEOUT_SECONDS = 0.25


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_at: float

    def headers(self) -> dict[str, str]:
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(int(self.reset_at)),
        }
        if not self.allowed:
            headers["Retry-After"] = str(max(1, int(self.reset_at - time.time()) + 1))
        return headers


def _redis_pool(url: str) -> redis_asyncio.ConnectionPool:
    return redis_asyncio.ConnectionPool.from_url(
        url.removeprefix("async+"),
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )


def _redis_storage(url: str, pool: redis_asyncio.ConnectionPool) -> RedisStorage:
    uri = url if url.startswith("async+") else f"async+{url}"
    return RedisStorage(uri, implementation="redispy", wrap_exceptions=True, connection_pool=pool)


class RateLimiter:
    """Counts hits per (scope, key) under a limit such as "10/minute"."""

    def __init__(self, settings: Settings, *, key_prefix: str = "corebank") -> None:
        self.enabled = settings.rate_limit_enabled
        self._memory = MovingWindowRateLimiter(MemoryStorage())
        self._pool = _redis_pool(settings.redis_url) if settings.redis_url else None
        self._redis_storage: Storage | None = (
            _redis_storage(settings.redis_url, self._pool)
            if settings.redis_url and self._pool
            else None
        )
        self._redis = MovingWindowRateLimiter(self._redis_storage) if self._redis_storage else None
        self._prefix = key_prefix
        self.fallback_active = False
        self._backoff = 1.0
        self._probe: asyncio.Task[None] | None = None
        self.on_decision: list[Callable[[str, bool], None]] = []
        self.on_fallback: list[Callable[[bool], None]] = []

    @property
    def backend(self) -> str:
        if self._redis is None:
            return "memory"
        return "memory (redis fallback)" if self.fallback_active else "redis"

    async def hit(self, limit: str | RateLimitItem, scope: str, key: str) -> Decision:
        """Count one hit and say whether it is within the limit."""
        item = parse(limit) if isinstance(limit, str) else limit
        identifiers = (self._prefix, scope, key)
        strategy = self._current()
        try:
            allowed = await strategy.hit(item, *identifiers)
            stats = await strategy.get_window_stats(item, *identifiers)
        except StorageError as exc:
            self._fall_back(exc)
            allowed = await self._memory.hit(item, *identifiers)
            stats = await self._memory.get_window_stats(item, *identifiers)
        for observe in self.on_decision:
            observe(scope, allowed)
        return Decision(allowed, item.amount, stats.remaining, stats.reset_time)

    def _current(self) -> MovingWindowRateLimiter:
        if self._redis is None or self.fallback_active:
            return self._memory
        return self._redis

    def _fall_back(self, exc: Exception) -> None:
        if not self.fallback_active:
            log.warning(
                "ratelimit.redis_unavailable",
                error=type(exc).__name__,
                detail="using in-process limits until Redis answers",
            )
            self.fallback_active = True
            for notify in self.on_fallback:
                notify(True)
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._probe_until_back())

    async def _probe_until_back(self) -> None:
        assert self._redis_storage is not None
        backoff = self._backoff
        while self.fallback_active:
            await asyncio.sleep(backoff)
            try:
                healthy = await self._redis_storage.check()
            except Exception:
                healthy = False
            if healthy:
                self.fallback_active = False
                log.info("ratelimit.redis_recovered")
                for notify in self.on_fallback:
                    notify(False)
                return
            backoff = min(backoff * 2, MAX_PROBE_BACKOFF_SECONDS)

    async def check_redis(self) -> None:
        """Raise unless Redis answers (for the detailed health report)."""
        if self._redis_storage is None or not await self._redis_storage.check():
            raise ConnectionError("redis did not answer")

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
        if self._pool is not None:
            await self._pool.aclose()


def client_ip(request: Request) -> str:
    return request.scope.get("state", {}).get("client_ip") or "unknown"


ROUTE_HEADERS_KEY = "rate_limit_headers"


async def enforce(request: Request, *, limit: str, scope: str, key: str) -> None:
    """Count a hit; 429 with Retry-After when over.

    The tightest decision of the request is kept in its state; the middleware turns it into
    X-RateLimit-* headers on whatever response goes out, errors included.
    """
    limiter: RateLimiter = request.app.state.container.rate_limiter
    if not limiter.enabled:
        return
    decision = await limiter.hit(limit, scope, key)
    state = request.scope.setdefault("state", {})
    previous = state.get(ROUTE_HEADERS_KEY)
    if (
        previous is None
        or not decision.allowed
        or decision.remaining <= int(previous["X-RateLimit-Remaining"])
    ):
        state[ROUTE_HEADERS_KEY] = decision.headers()
    if not decision.allowed:
        log.info("ratelimit.refused", scope=scope)
        raise RateLimited(
            "Too many requests; slow down and retry later.", headers=decision.headers()
        )


def limit_per_ip(setting: str, scope: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency applying the limit named by `setting` (e.g. "rate_limit_register") per IP."""

    async def dependency(request: Request) -> None:
        settings: Settings = request.app.state.container.settings
        await enforce(
            request, limit=getattr(settings, setting), scope=scope, key=client_ip(request)
        )

    return dependency


class DefaultRateLimitMiddleware:
    """The general API limit (RATE_LIMIT_DEFAULT) per client: user id when the bearer token is
    genuine, else the client IP. Route-specific limits (login, register...) come on top."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefix: str,
        limiter: RateLimiter,
        limit: str,
        user_of: Callable[[str], int | None],
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.limiter = limiter
        self.limit = limit
        self.user_of = user_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter
        if (
            scope["type"] != "http"
            or not limiter.enabled
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        decision = await limiter.hit(self.limit, "api", self._client_key(scope))
        if not decision.allowed:
            response = problem_response(
                scope["path"],
                status=429,
                type="rate-limited",
                title="Too many requests",
                detail="Too many requests; slow down and retry later.",
                headers=decision.headers(),
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                route_headers = scope.get("state", {}).get(ROUTE_HEADERS_KEY)
                edits = {
                    name.lower().encode(): (SET, value.encode("latin-1"))
                    for name, value in (route_headers or decision.headers()).items()
                }
                message["headers"] = edit_headers(message.get("headers", ()), edits)
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _client_key(self, scope: Scope) -> str:
        authorization = header_value(scope, b"authorization") or ""
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token:
            user_id = self.user_of(token)
            if user_id is not None:
                return f"user:{user_id}"
        return f"ip:{scope.get('state', {}).get('client_ip', 'unknown')}"
