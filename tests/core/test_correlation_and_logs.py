"""Correlation ids on every response and log line; access lines; secrets never logged."""

import json
import logging
from typing import Any

import httpx
import pytest
import structlog

from corebank.core.logging import REDACTED, configure_logging


async def test_generated_when_absent(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert len(response.headers["x-correlation-id"]) == 32


@pytest.mark.parametrize("header", ["X-Correlation-ID", "X-Request-ID"])
async def test_sane_incoming_id_is_echoed(client: httpx.AsyncClient, header: str) -> None:
    response = await client.get("/health", headers={header: "abc-123.DEF_9"})
    assert response.headers["x-correlation-id"] == "abc-123.DEF_9"


@pytest.mark.parametrize(
    "bad", ["a" * 129, "has space", "semi;colon", "new\\nline", "ü".encode("latin-1")]
)
async def test_insane_incoming_id_is_replaced(client: httpx.AsyncClient, bad: str | bytes) -> None:
    response = await client.get("/health", headers={"X-Correlation-ID": bad})
    assert response.headers["x-correlation-id"] != bad
    assert len(response.headers["x-correlation-id"]) == 32


async def test_id_on_error_responses(client: httpx.AsyncClient) -> None:
    response = await client.get("/nope", headers={"X-Correlation-ID": "err-1"})
    assert response.status_code == 404
    assert response.headers["x-correlation-id"] == "err-1"


async def test_access_line_carries_route_template_and_id(
    client: httpx.AsyncClient, log_lines: Any
) -> None:
    await client.get("/health/ready", headers={"X-Correlation-ID": "acc-1"})
    lines = [line for line in log_lines() if line["event"] == "http.request"]
    assert len(lines) == 1
    line = lines[0]
    assert line["correlation_id"] == "acc-1"
    assert line["route"] == "/health/ready"
    assert line["method"] == "GET"
    assert line["status"] == 200
    assert line["client_ip"] == "203.0.113.7"
    assert isinstance(line["duration_ms"], float)
    assert line["level"] == "info"
    assert line["timestamp"].endswith("Z") or line["timestamp"].endswith("+00:00")


async def test_every_line_of_a_request_carries_its_id(
    client: httpx.AsyncClient, log_lines: Any
) -> None:
    await client.get("/nope", headers={"X-Correlation-ID": "all-lines"})
    lines = log_lines()
    assert lines
    assert all(line.get("correlation_id") == "all-lines" for line in lines)


@pytest.fixture
def json_lines() -> Any:
    configure_logging(level="INFO", fmt="json")
    root = logging.getLogger()
    captured: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(self.format(record))

    handler = Collect()
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    yield captured
    root.removeHandler(handler)


def test_redaction_removes_secrets_everywhere(json_lines: list[str]) -> None:
    log = structlog.get_logger("test")
    log.info(
        "login",
        password="p4ss-word!",
        new_password="other-secret",
        refresh_token="rt-secret",
        headers={"Authorization": "Bearer abc.def.ghi", "Cookie": "sid=zzz", "Accept": "x"},
        pin="4821",
        note="sent Bearer sekrit-token-value",
        jwt="eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
    )
    logging.getLogger("stdlib").warning("stdlib says %s", "hi", extra={"password": "leak"})
    text = "\n".join(json_lines)
    for secret in (
        "p4ss-word!",
        "other-secret",
        "rt-secret",
        "abc.def.ghi",
        "sid=zzz",
        "4821",
        "sekrit-token-value",
        "c2lnbmF0dXJl",
        "leak",
    ):
        assert secret not in text
    first = json.loads(json_lines[0])
    assert first["password"] == REDACTED
    assert first["headers"]["Accept"] == "x"
    assert first["headers"]["Authorization"] == REDACTED


def test_tracebacks_are_redacted_too(json_lines: list[str]) -> None:
    """Exception text is rendered after the other fields were redacted; it is redacted again."""
    try:
        raise ValueError("connect failed: password=hunter2 token=eyJa.eyJb.c2ln")
    except ValueError:
        structlog.get_logger("test").exception("db.failed")
        logging.getLogger("stdlib").exception("stdlib failed with Bearer sekrit-bearer")
    text = "\n".join(json_lines)
    assert "ValueError" in text
    for secret in ("hunter2", "c2ln", "sekrit-bearer"):
        assert secret not in text
    assert all(json.loads(line) for line in json_lines)


def test_newline_and_json_in_values_stay_in_one_field(json_lines: list[str]) -> None:
    evil = 'bob\n{"event": "admin.granted", "level": "info"}'
    structlog.get_logger("test").info("login.failed", username=evil)
    assert len(json_lines) == 1
    assert "\n" not in json_lines[0]
    parsed = json.loads(json_lines[0])
    assert parsed["username"] == evil
    assert parsed["event"] == "login.failed"


def test_console_format_escapes_newlines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="INFO", fmt="console")
    root = logging.getLogger()
    captured: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(self.format(record))

    handler = Collect()
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    try:
        structlog.get_logger("test").info("login.failed", username="bob\nFAKE LINE")
    finally:
        root.removeHandler(handler)
    assert len(captured) == 1
    assert "\n" not in captured[0]


def uvicorn_start_line() -> None:
    """What uvicorn logs on start: its message, and a coloured copy as an extra field."""
    color_message = "Uvicorn running on \x1b[1m%s://%s:%d\x1b[0m (Press CTRL+C to quit)"
    logging.getLogger("uvicorn.error").info(
        "Uvicorn running on %s://%s:%d (Press CTRL+C to quit)",
        "http",
        "127.0.0.1",
        8000,
        extra={"color_message": color_message},
    )


def test_console_format_renders_uvicorn_lines_without_colour_codes() -> None:
    configure_logging(level="INFO", fmt="console")
    root = logging.getLogger()
    captured: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(self.format(record))

    handler = Collect()
    handler.setFormatter(root.handlers[0].formatter)
    root.addHandler(handler)
    try:
        uvicorn_start_line()
    finally:
        root.removeHandler(handler)
    assert len(captured) == 1
    assert "Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)" in captured[0]
    assert "[uvicorn.error]" in captured[0]
    for noise in ("color_message", "\x1b", "\\x1b"):
        assert noise not in captured[0]


def test_json_lines_of_uvicorn_carry_no_colour_copy(json_lines: list[str]) -> None:
    uvicorn_start_line()
    line = json.loads(json_lines[0])
    assert line["event"] == "Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)"
    assert "color_message" not in line
