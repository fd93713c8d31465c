"""Pure-ASGI middleware: request context (correlation id, access log, 500s) and headers."""

from __future__ import annotations

import ipaddress
import re
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corebank.core.context import client_ip_var, correlation_id_var, user_agent_var
from corebank.core.errors import problem_response

log = structlog.get_logger("corebank.access")
error_log = structlog.get_logger("corebank.errors")

CORRELATION_HEADER = "X-Correlation-ID"
CORRELATION_ALIASES = ("x-correlation-id", "x-request-id")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def pick_correlation_id(headers: Headers) -> str:
    """The caller's id when it is sane (<=128 of [A-Za-z0-9._-]), else a new UUID."""
    for name in CORRELATION_ALIASES:
        value = headers.get(name)
        if value and _SANE_ID.match(value):
            return value
    return uuid.uuid4().hex


class ClientAddressResolver:
    """The client's IP: the peer, or X-Forwarded-For's last untrusted hop behind trusted proxies."""

    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self._trusted = [ipaddress.ip_network(p.strip(), strict=False) for p in trusted_proxies]

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def resolve(self, scope: Scope) -> str:
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        if not self._trusted or not self._is_trusted(peer):
            return peer
        forwarded = Headers(scope=scope).get("x-forwarded-for", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return hops[0] if hops else peer


def route_template(scope: Scope) -> str:
    """The matched route's path template (low-cardinality), or a fixed label."""
    route = scope.get("route")
    return getattr(route, "path_format", None) or getattr(route, "path", None) or "<unmatched>"


class RequestContextMiddleware:
    """Binds the correlation id and client address, writes the access line, answers 500s.

    An unexpected exception is logged with its traceback; the client gets problem+json with
    only the correlation id, never the exception text.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        resolver: ClientAddressResolver,
        slow_request_ms: int,
        observers: list[Callable[[Scope, int, float], None]] | None = None,
        starters: list[Callable[[Scope], None]] | None = None,
        error_reporters: list[Callable[[BaseException], None]] | None = None,
    ) -> None:
        self.app = app
        self.resolver = resolver
        self.slow_request_ms = slow_request_ms
        self.observers = observers or []
        self.starters = starters or []
        self.error_reporters = error_reporters or []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        correlation_id = pick_correlation_id(headers)
        client_ip = self.resolver.resolve(scope)
        tokens = (
            correlation_id_var.set(correlation_id),
            client_ip_var.set(client_ip),
            user_agent_var.set(headers.get("user-agent")),
        )
        state = scope.setdefault("state", {})
        state["client_ip"] = client_ip
        state["response_size"] = 0
        for start_hook in self.starters:
            start_hook(scope)
        status = 500
        started = False
        start = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                MutableHeaders(scope=message)[CORRELATION_HEADER] = correlation_id
            elif message["type"] == "http.response.body":
                state["response_size"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            error_log.exception("request.unhandled_error", path=scope.get("path"))
            for report in self.error_reporters:
                report(exc)
            if not started:
                await self._send_internal_error(scope, receive, send_with_id)
        finally:
            duration_ms = (time.perf_counter() - start) * 1000
            self._access_line(scope, status, duration_ms, client_ip)
            for observe in self.observers:
                observe(scope, status, duration_ms)
            for var, token in zip(
                (correlation_id_var, client_ip_var, user_agent_var), tokens, strict=True
            ):
                var.reset(token)

    async def _send_internal_error(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            scope.get("path", ""),
            status=500,
            type="internal-error",
            title="Internal server error",
            detail="Something went wrong on our side. Quote the correlation id when reporting it.",
        )
        await response(scope, receive, send)

    def _access_line(self, scope: Scope, status: int, duration_ms: float, client_ip: str) -> None:
        fields: dict[str, Any] = {
            "method": scope.get("method"),
            "route": route_template(scope),
            "status": status,
            "duration_ms": round(duration_ms, 2),
            "client_ip": client_ip,
            "user_id": scope.get("state", {}).get("user_id"),
        }
        if duration_ms >= self.slow_request_ms:
            log.warning("http.request.slow", **fields)
        else:
            log.info("http.request", **fields)


def docs_csp(*script_sources: str) -> str:
    """The policy of the docs pages: the service's own origin and nothing else.

    `script_sources` are the 'sha256-...' of a page's inline scripts (core/docs.py computes
    them from the exact page it serves); without any, no inline script runs. Styles keep
    'unsafe-inline': ReDoc (styled-components) injects <style> elements at run time and stops
    rendering without it, Swagger UI applies inline styles, FastAPI's ReDoc page has an inline
    <style>; a style runs no code. ReDoc's search runs in a Web Worker made from a blob: URL.
    Images: the favicon and data: URIs (ReDoc's hard-coded logo from its CDN is refused).
    """
    scripts = " ".join(("'self'", *script_sources))
    return (
        f"default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; object-src 'none'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )


class SecurityHeadersMiddleware:
    """Adds the security headers to every response, whatever its status.

    Every response gets STRICT_CSP, except under DOCS_PATHS: there a page that set its own
    policy (core/docs.py: DOCS_CSP plus the hashes of its inline scripts) keeps it, and
    anything else (the assets, a 404) gets DOCS_CSP.
    """

    DOCS_PATHS = ("/docs", "/redoc")
    STRICT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    DOCS_CSP = docs_csp()

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_docs = scope.get("path", "").startswith(self.DOCS_PATHS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Resource-Policy"] = "same-origin"
                if is_docs:
                    headers.setdefault("Content-Security-Policy", self.DOCS_CSP)
                else:
                    headers["Content-Security-Policy"] = self.STRICT_CSP
                headers.setdefault("Cache-Control", "no-store")
                if self.hsts:
                    headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
                if "server" in headers:
                    del headers["server"]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class DeclaredBodyLimitMiddleware:
    """413 problem+json at once when Content-Length already exceeds the limit.

    Bodies without a Content-Length (chunked) are counted as they stream by Starlette's
    RequestBodyLimitMiddleware, which raises a 413 into the same problem+json handler.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            declared = Headers(scope=scope).get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                response = problem_response(
                    scope.get("path", ""),
                    status=413,
                    type="payload-too-large",
                    title="Request body too large",
                    detail=f"The request body exceeds {self.max_bytes} bytes.",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
