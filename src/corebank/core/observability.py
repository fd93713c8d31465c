"""Optional tracing (OpenTelemetry) and error tracking (Sentry), both off unless configured."""

from __future__ import annotations

from typing import Any

import sentry_sdk
from fastapi import FastAPI
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from sentry_sdk.integrations.logging import LoggingIntegration

from corebank import __version__
from corebank.config import Settings
from corebank.core.context import correlation_id_var
from corebank.core.db import Database


def _exporter(settings: Settings) -> SpanExporter | None:
    if settings.otel_exporter == "console":
        return ConsoleSpanExporter()
    if settings.otel_exporter == "otlp":
        return OTLPSpanExporter(endpoint=settings.otel_exporter_otlp_endpoint)
    return None


def setup_tracing(
    app: FastAPI, settings: Settings, db: Database, *, exporter: SpanExporter | None = None
) -> TracerProvider | None:
    """Spans for requests, SQL statements and outgoing httpx calls, when an exporter is set."""
    exporter = exporter or _exporter(settings)
    if exporter is None:
        return None
    provider = TracerProvider(
        resource=Resource.create(
            {
                "service.name": "corebank",
                "service.version": __version__,
                "deployment.environment": str(settings.environment),
            }
        )
    )
    processor = (
        SimpleSpanProcessor(exporter)
        if settings.otel_exporter != "otlp"
        else BatchSpanProcessor(exporter)
    )
    provider.add_span_processor(processor)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="health,metrics"
    )
    # Our SQLAlchemy (2.1) is newer than the range the instrumentation declares; it works.
    SQLAlchemyInstrumentor().instrument(
        engine=db.engine.sync_engine, tracer_provider=provider, skip_dep_check=True
    )
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    return provider


def _scrub(event: dict[str, Any], _: dict[str, Any]) -> dict[str, Any]:
    """Send no personal data: drop request bodies, headers, cookies, query strings and users."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "headers", "cookies", "query_string", "env"):
            request.pop(key, None)
    event.pop("user", None)
    correlation_id = correlation_id_var.get()
    if correlation_id:
        event.setdefault("tags", {})["correlation_id"] = correlation_id
    return event


def setup_sentry(settings: Settings, **options: Any) -> bool:
    """Error tracking when SENTRY_DSN is set; the middleware reports unhandled errors."""
    if settings.sentry_dsn is None:
        return False
    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=str(settings.environment),
        release=f"corebank@{__version__}",
        traces_sample_rate=settings.sentry_traces_sample_rate,
        sample_rate=settings.sentry_sample_rate,
        before_send=_scrub,
        include_local_variables=False,  # frame locals hold headers, tokens and passwords
        max_request_body_size="never",
        integrations=[LoggingIntegration(event_level=None)],
        **options,
    )
    return True


def report_exception(exc: BaseException) -> None:
    """Hand an unhandled exception to Sentry (a no-op when it is not configured)."""
    if sentry_sdk.get_client().is_active():
        sentry_sdk.capture_exception(exc)
