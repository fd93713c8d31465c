"""Tracing spans for requests and SQL with the trace id in logs; Sentry without personal data."""

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sentry_sdk
from fastapi import FastAPI
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import SecretStr

from corebank.config import Settings
from corebank.core import observability
from corebank.core.db import Database
from corebank.main import create_app
from tests.support import login_as


@pytest.fixture
async def traced(
    settings: Settings, db: Database
) -> AsyncIterator[tuple[FastAPI, InMemorySpanExporter]]:
    app = create_app(settings, database=db)
    exporter = InMemorySpanExporter()
    observability.setup_tracing(
        app, settings.model_copy(update={"otel_exporter": "console"}), db, exporter=exporter
    )
    yield app, exporter
    # The library instrumentors are process-wide singletons; tests build many apps.
    SQLAlchemyInstrumentor().uninstrument()
    HTTPXClientInstrumentor().uninstrument()


async def test_spans_for_requests_and_sql_and_trace_id_in_logs(
    traced: tuple[FastAPI, InMemorySpanExporter], log_lines: Any
) -> None:
    app, exporter = traced
    _, headers = await login_as(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await client.get("/api/v1/users/me", headers=headers)).status_code == 200
    spans = exporter.get_finished_spans()
    names = [span.name for span in spans]
    assert any("GET /api/v1/users/me" in name for name in names), names
    sql = [s for s in spans if s.attributes and "db.statement" in s.attributes]
    assert sql, names
    request_span = next(s for s in spans if s.name == "GET /api/v1/users/me")
    trace_id = format(request_span.context.trace_id, "032x")
    assert any(s.context.trace_id == request_span.context.trace_id for s in sql)
    access = [line for line in log_lines() if line["event"] == "http.request"]
    assert any(line.get("trace_id") == trace_id for line in access)


async def test_sentry_gets_errors_without_personal_data(app: FastAPI) -> None:
    captured: list[dict[str, Any]] = []

    class Capture(sentry_sdk.transport.Transport):
        def capture_envelope(self, envelope: Any) -> None:
            for item in envelope.items:
                if item.type == "event":
                    captured.append(item.payload.json)

    settings = app.state.container.settings.model_copy(
        update={"sentry_dsn": SecretStr("https://public@sentry.example/1")}
    )
    assert observability.setup_sentry(settings, transport=Capture)

    @app.get("/probe/boom")
    async def boom() -> None:
        raise RuntimeError("kaboom")

    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            response = await c.get(
                "/probe/boom?email=alice@example.com",
                headers={
                    "X-Correlation-ID": "sentry-1",
                    "Authorization": "Bearer secret-tok",
                    "Cookie": "sid=abc",
                },
            )
        assert response.status_code == 500
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # back to disabled for the other tests
    assert len(captured) == 1
    event = captured[0]
    assert event["tags"]["correlation_id"] == "sentry-1"
    text = str(event)
    for secret in ("secret-tok", "sid=abc", "alice@example.com"):
        assert secret not in text
    assert event["exception"]["values"][0]["type"] == "RuntimeError"


def test_tracing_is_off_by_default(app: FastAPI, settings: Settings, db: Database) -> None:
    assert observability.setup_tracing(app, settings, db) is None
    assert observability.setup_sentry(settings) is False
