"""The middleware's one-pass header handling does what Starlette's Headers would have done.

core/middleware.py reads request headers from the scope's raw list and edits response
headers in one pass instead of building `Headers`/`MutableHeaders` in every layer; each
helper and each layer is checked here against Starlette doing the same thing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware as StarletteCORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corebank.core.db import Database
from corebank.core.logging import configure_logging
from corebank.core.middleware import (
    DEFAULT,
    REMOVE,
    SET,
    ClientAddressResolver,
    CORSMiddleware,
    HeaderEdits,
    RawHeaders,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
    edit_headers,
    header_value,
    header_values,
    set_header,
)
from corebank.main import CORS_REQUEST_HEADERS, CORS_RESPONSE_HEADERS, add_middleware, create_app
from tests.support import test_settings

NAMES = [b"vary", b"server", b"cache-control", b"content-type", b"x-frame-options"]
raw_headers = st.lists(
    st.tuples(st.sampled_from(NAMES), st.binary(max_size=4)).map(tuple), max_size=6
)
header_edits = st.dictionaries(
    st.sampled_from(NAMES),
    st.tuples(st.sampled_from([SET, DEFAULT, REMOVE]), st.binary(max_size=4)),
    max_size=4,
)


def with_mutable_headers(raw: RawHeaders, edits: HeaderEdits) -> RawHeaders:
    """The same edits made one by one with Starlette's MutableHeaders."""
    message: dict[str, Any] = {"headers": list(raw)}
    headers = MutableHeaders(scope=message)
    for name, (mode, value) in edits.items():
        key, text = name.decode("latin-1"), value.decode("latin-1")
        if mode == SET:
            headers[key] = text
        elif mode == DEFAULT:
            headers.setdefault(key, text)
        elif key in headers:
            del headers[key]
    return list(message["headers"])


@given(raw_headers, header_edits)
def test_edit_headers_is_what_mutable_headers_would_do(raw: RawHeaders, edits: HeaderEdits) -> None:
    assert edit_headers(raw, edits) == with_mutable_headers(raw, edits)


@given(raw_headers, st.sampled_from(NAMES), st.binary(max_size=4))
def test_set_header_is_what_mutable_headers_would_do(
    raw: RawHeaders, name: bytes, value: bytes
) -> None:
    assert set_header(raw, name, value) == with_mutable_headers(raw, {name: (SET, value)})


@given(raw_headers, st.sampled_from([*NAMES, b"absent"]))
def test_header_lookups_are_what_headers_get_gives(raw: RawHeaders, name: bytes) -> None:
    expected = Headers(scope={"headers": list(raw)}).get(name.decode())
    assert header_value({"headers": raw}, name) == expected
    assert header_values({"headers": raw}, {name}).get(name.decode()) == expected


# --- each layer, around an app that answers with the given headers ------------------------


def answering(headers: RawHeaders, status: int = 200) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": status, "headers": list(headers)})
        await send({"type": "http.response.body", "body": b"{}"})

    return app


async def serve(
    app: ASGIApp, *, path: str = "/api/v1/x", method: str = "GET", headers: RawHeaders = ()
) -> list[Message]:
    """Run one request through `app`; the messages it sent."""
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": list(headers),
        "client": ("203.0.113.7", 5000),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def security_headers_by_mutable_headers(raw: RawHeaders, *, docs: bool, hsts: bool) -> RawHeaders:
    """What SecurityHeadersMiddleware did with MutableHeaders before it edited in one pass."""
    message: dict[str, Any] = {"headers": list(raw)}
    headers = MutableHeaders(scope=message)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if docs:
        headers.setdefault("Content-Security-Policy", SecurityHeadersMiddleware.DOCS_CSP)
    else:
        headers["Content-Security-Policy"] = SecurityHeadersMiddleware.STRICT_CSP
    headers.setdefault("Cache-Control", "no-store")
    if hsts:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if "server" in headers:
        del headers["server"]
    return list(message["headers"])


RESPONSES: list[RawHeaders] = [
    [],
    [(b"content-type", b"application/json"), (b"content-length", b"2")],
    [(b"server", b"x"), (b"cache-control", b"max-age=60"), (b"x-frame-options", b"SAMEORIGIN")],
    [(b"content-security-policy", b"default-src 'self'"), (b"server", b"a"), (b"server", b"b")],
    [(b"vary", b"Accept-Encoding"), (b"vary", b"Authorization"), (b"content-length", b"2")],
]


@pytest.mark.parametrize("response", RESPONSES)
@pytest.mark.parametrize("path", ["/api/v1/accounts/1", "/docs", "/redoc/x.js"])
@pytest.mark.parametrize("hsts", [False, True])
async def test_security_headers_are_what_they_were(
    response: RawHeaders, path: str, hsts: bool
) -> None:
    app = SecurityHeadersMiddleware(answering(response), hsts=hsts)
    start, _ = await serve(app, path=path)
    docs = path.startswith(("/docs", "/redoc"))
    assert start["headers"] == security_headers_by_mutable_headers(response, docs=docs, hsts=hsts)


CORS_REQUESTS: list[tuple[str, RawHeaders]] = [
    ("GET", []),
    ("GET", [(b"origin", b"https://app.example")]),
    ("GET", [(b"origin", b"https://evil.example")]),
    ("POST", [(b"origin", b"https://app.example"), (b"content-type", b"application/json")]),
    (
        "OPTIONS",
        [
            (b"origin", b"https://app.example"),
            (b"access-control-request-method", b"GET"),
            (b"access-control-request-headers", b"Authorization"),
        ],
    ),
    ("OPTIONS", [(b"origin", b"https://evil.example"), (b"access-control-request-method", b"GET")]),
    ("OPTIONS", [(b"origin", b"https://app.example")]),
    ("OPTIONS", []),
]


@pytest.mark.parametrize("request_", CORS_REQUESTS)
@pytest.mark.parametrize("response", RESPONSES)
@pytest.mark.parametrize(
    "options",
    [
        {"allow_origins": ["https://app.example"], "allow_credentials": False},
        {"allow_origins": ["https://app.example"], "allow_credentials": True},
        {"allow_origins": ["*"], "allow_credentials": False},
        {"allow_origins": [], "allow_credentials": False},
    ],
)
async def test_cors_answers_as_starlettes(
    request_: tuple[str, RawHeaders], response: RawHeaders, options: dict[str, Any]
) -> None:
    method, headers = request_
    settings = {
        "allow_methods": ["GET", "POST", "PUT", "PATCH", "DELETE"],
        "allow_headers": CORS_REQUEST_HEADERS,
        "expose_headers": CORS_RESPONSE_HEADERS,
        "max_age": 600,
        **options,
    }
    ours = CORSMiddleware(answering(response), **settings)
    starlettes = StarletteCORSMiddleware(answering(response), **settings)
    assert await serve(ours, method=method, headers=headers) == await serve(
        starlettes, method=method, headers=headers
    )


# --- the access line ------------------------------------------------------------------------


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged_at() -> Iterator[Any]:
    """Call with a level: logging is configured at it and what reaches the root is kept."""
    handler = Records()

    def configure(level: str) -> list[logging.LogRecord]:
        configure_logging(level=level, fmt="json")
        logging.getLogger().addHandler(handler)
        return handler.records

    yield configure
    logging.getLogger().removeHandler(handler)
    configure_logging(level="INFO", fmt="json")


@pytest.mark.parametrize(
    ("level", "slow_ms", "expected"),
    [
        ("INFO", 10_000, ["info"]),
        ("WARNING", 10_000, []),
        ("WARNING", 0, ["warning"]),
        ("ERROR", 0, []),
    ],
)
async def test_access_line_follows_the_level(
    logged_at: Any, level: str, slow_ms: int, expected: list[str]
) -> None:
    records = logged_at(level)
    app = RequestContextMiddleware(
        answering([]), resolver=ClientAddressResolver([]), slow_request_ms=slow_ms
    )
    await serve(app)
    lines = [r for r in records if r.name == "corebank.access"]
    assert [r.levelname.lower() for r in lines] == expected


# --- the bench's stack baseline -------------------------------------------------------------


async def test_add_middleware_with_settings_alone_is_the_apps_stack() -> None:
    """bench/baseline_app.py wraps a bare app in `add_middleware(app, settings)`."""
    settings = test_settings(
        "sqlite+aiosqlite:///:memory:",
        cors_origins="https://app.example",
        allowed_hosts="api.example",
        trusted_proxies="10.0.0.0/8",
    )
    database = Database(settings)
    full = create_app(settings, database=database)
    bare = FastAPI()
    add_middleware(bare, settings)
    assert len(bare.user_middleware) == len(full.user_middleware)
    for ours, apps in zip(bare.user_middleware, full.user_middleware, strict=True):
        assert ours.cls is apps.cls
        assert ours.kwargs.keys() == apps.kwargs.keys()
        for name, value in ours.kwargs.items():
            if isinstance(value, str | int | bool | list):
                assert value == apps.kwargs[name], (ours.cls, name)
    await database.dispose()
