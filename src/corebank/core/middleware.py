"""Pure-ASGI middleware: request context (correlation id, access log, 500s) and headers.

Every layer reads the request headers it needs straight from the scope's raw list
(`header_value`, `header_values`) and edits a response's headers in one pass (`edit_headers`):
Starlette's `Headers(scope=scope)` copies the list each time it is built and raises a KeyError
inside `.get()` for every header that is missing, and each `MutableHeaders` assignment scans
and re-encodes the list again; on a request that touches nothing that was most of a layer's cost.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import structlog
from starlette.middleware.cors import CORSMiddleware as StarletteCORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corebank.core.context import client_ip_var, correlation_id_var, user_agent_var
from corebank.core.errors import problem_response

ACCESS_LOGGER = "corebank.access"
log = structlog.get_logger(ACCESS_LOGGER)
error_log = structlog.get_logger("corebank.errors")

CORRELATION_HEADER = "X-Correlation-ID"
CORRELATION_ALIASES = ("x-correlation-id", "x-request-id")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
_CORRELATION_KEY = CORRELATION_HEADER.lower().encode()
_CONTEXT_HEADERS = frozenset(name.encode() for name in (*CORRELATION_ALIASES, "user-agent"))

RawHeaders = list[tuple[bytes, bytes]]
SET, DEFAULT, REMOVE = "set", "default", "remove"
#: Lower-case header name -> (SET | DEFAULT | REMOVE, value): `h[name] = value`,
#: `h.setdefault(name, value)`, `del h[name]`, applied in this order (dicts keep it).
HeaderEdits = Mapping[bytes, tuple[str, bytes]]


def header_value(scope: Scope, name: bytes) -> str | None:
    """The request header `name` (lower case) as `Headers(scope=scope).get(name)` gives it.

    ASGI servers send header names in lower case; Starlette's lookup relies on it too.
    """
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def header_values(scope: Scope, names: Collection[bytes]) -> dict[str, str]:
    """The first value of each of `names` (lower case) the request carries, in one pass."""
    found: dict[str, str] = {}
    for key, value in scope["headers"]:
        if key in names:
            found.setdefault(key.decode("latin-1"), value.decode("latin-1"))
    return found


def edit_headers(raw: Iterable[tuple[bytes, bytes]], edits: HeaderEdits) -> RawHeaders:
    """The response headers after `edits`, as the same MutableHeaders operations leave them.

    SET replaces the first occurrence where it stands and drops the others (or appends),
    DEFAULT keeps every occurrence (or appends), REMOVE drops them all; what is appended comes
    in the order of `edits`.
    """
    out: RawHeaders = []
    seen: set[bytes] = set()
    for key, value in raw:
        edit = edits.get(key)
        if edit is None:
            out.append((key, value))
            continue
        mode, new = edit
        if mode == REMOVE or (mode == SET and key in seen):
            continue
        out.append((key, new if mode == SET else value))
        seen.add(key)
    for key, (mode, new) in edits.items():
        if mode != REMOVE and key not in seen:
            out.append((key, new))
    return out


def set_header(raw: Iterable[tuple[bytes, bytes]], name: bytes, value: bytes) -> RawHeaders:
    """`edit_headers(raw, {name: (SET, value)})`, quicker when `name` is not there yet."""
    headers = list(raw)
    for key, _ in headers:
        if key == name:
            return edit_headers(headers, {name: (SET, value)})
    headers.append((name, value))
    return headers


def pick_correlation_id(headers: Mapping[str, str]) -> str:
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
        forwarded = header_value(scope, b"x-forwarded-for") or ""
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
        # The stdlib logger behind `log`: at LOG_LEVEL=WARNING structlog's filter_by_level
        # drops every access line, but only after the call and its fields were built.
        self._access_logger = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = header_values(scope, _CONTEXT_HEADERS)
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
                message["headers"] = set_header(
                    message.get("headers", ()), _CORRELATION_KEY, correlation_id.encode("latin-1")
                )
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
        slow = duration_ms >= self.slow_request_ms
        if not slow and not self._access_logger.isEnabledFor(logging.INFO):
            return
        fields: dict[str, Any] = {
            "method": scope.get("method"),
            "route": route_template(scope),
            "status": status,
            "duration_ms": round(duration_ms, 2),
            "client_ip": client_ip,
            "user_id": scope.get("state", {}).get("user_id"),
        }
        if slow:
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
        self._edits = self._header_edits(csp=(SET, self.STRICT_CSP))
        self._docs_edits = self._header_edits(csp=(DEFAULT, self.DOCS_CSP))

    def _header_edits(self, *, csp: tuple[str, str]) -> dict[bytes, tuple[str, bytes]]:
        """Built once: the edits every response of one kind gets, in the order they apply."""
        edits = {
            "x-content-type-options": (SET, "nosniff"),
            "x-frame-options": (SET, "DENY"),
            "referrer-policy": (SET, "no-referrer"),
            "cross-origin-resource-policy": (SET, "same-origin"),
            "content-security-policy": csp,
            "cache-control": (DEFAULT, "no-store"),
        }
        if self.hsts:
            edits["strict-transport-security"] = (SET, "max-age=31536000; includeSubDomains")
        edits["server"] = (REMOVE, "")
        return {
            name.encode(): (mode, value.encode("latin-1")) for name, (mode, value) in edits.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        edits = (
            self._docs_edits if scope.get("path", "").startswith(self.DOCS_PATHS) else self._edits
        )

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = edit_headers(message.get("headers", ()), edits)
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
            declared = header_value(scope, b"content-length") or ""
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


class CORSMiddleware(StarletteCORSMiddleware):
    """Starlette's CORS, except that a request without an Origin skips its Headers copies.

    Such a request (any client but a browser: the API's usual caller) only gets `Origin`
    added to the response's Vary, in one pass here, as Starlette's `send` would add it.
    A request with an Origin, preflight or not, goes through Starlette's own code.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or header_value(scope, b"origin") is not None:
            await super().__call__(scope, receive, send)
            return

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", ()))
                vary = b", ".join([*(value for key, value in raw if key == b"vary"), b"Origin"])
                message["headers"] = set_header(raw, b"vary", vary)
            await send(message)

        await self.app(scope, receive, send_with_vary)
