"""Read your own writes: a client that just wrote reads from the primary for a few seconds.

A read replica lags the primary. After a client's successful write (any method but GET, HEAD
or OPTIONS answered below 400), the response carries `Corebank-Read-Primary-Until` (a Unix
time, in seconds) and a cookie of the same value; while a request brings either back (and it
has not passed), `Database.replica_read` serves that request from the primary. Browsers return
the cookie by themselves; an API client echoes the header or accepts the lag (docs/deployment.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

READ_PRIMARY_HEADER = "Corebank-Read-Primary-Until"
READ_PRIMARY_COOKIE = "corebank_read_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: A mark may run this much past REPLICA_STICKY_SECONDS (clocks of two instances differ); a
#: later one is ignored, so a client cannot pin its reads to the primary for good.
CLOCK_SLACK_SECONDS = 1.0

_HEADER_KEY = READ_PRIMARY_HEADER.lower().encode()
_primary_reads: ContextVar[bool] = ContextVar("corebank_primary_reads", default=False)


def reads_stay_on_primary() -> bool:
    """Whether this request's replica reads must go to the primary (it follows a write)."""
    return _primary_reads.get()


def marked_until(scope: Scope) -> float | None:
    """The time the request's header or cookie asks for primary reads until, if it sends one."""
    for key, raw in scope["headers"]:
        if key == _HEADER_KEY:
            return _seconds(raw.decode("latin-1"))
    for key, raw in scope["headers"]:
        if key == b"cookie":
            for part in raw.decode("latin-1").split(";"):
                name, _, value = part.strip().partition("=")
                if name == READ_PRIMARY_COOKIE:
                    return _seconds(value)
    return None


def _seconds(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if value == value else None  # NaN is no time


class ReadYourWritesMiddleware:
    """Marks the responses to successful writes and routes marked requests' reads to the
    primary (pure ASGI, so the route runs in the context this sets)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        sticky_seconds: float,
        secure_cookie: bool,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.sticky_seconds = sticky_seconds
        self.cookie_attributes = f"; Max-Age={max(1, round(sticky_seconds))}; Path=/; "
        self.cookie_attributes += "HttpOnly; SameSite=Lax" + ("; Secure" if secure_cookie else "")
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _primary_reads.set(self._still_marked(scope))
        try:
            if scope["method"] in SAFE_METHODS:
                await self.app(scope, receive, send)
            else:
                await self.app(scope, receive, self._marking(send))
        finally:
            _primary_reads.reset(token)

    def _still_marked(self, scope: Scope) -> bool:
        until = marked_until(scope)
        now = self.clock()
        return until is not None and now < until <= now + self.sticky_seconds + CLOCK_SLACK_SECONDS

    def _marking(self, send: Send) -> Send:
        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                until = f"{self.clock() + self.sticky_seconds:.3f}"
                cookie = f"{READ_PRIMARY_COOKIE}={until}{self.cookie_attributes}"
                message["headers"] = [
                    *message.get("headers", ()),
                    (_HEADER_KEY, until.encode()),
                    (b"set-cookie", cookie.encode()),
                ]
            await send(message)

        return send_marked
