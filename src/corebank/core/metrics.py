"""Prometheus metrics: every family the service exports, and the /metrics endpoint.

With several workers `corebank serve` sets PROMETHEUS_MULTIPROC_DIR before any worker starts;
prometheus_client then keeps each worker's values in files there and /metrics sums them, so
counters are exact across workers (process and Python runtime metrics are per process and are
left out in that mode).
"""

from __future__ import annotations

import functools
import os
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

from corebank.config import Settings
from corebank.core.db import Database
from corebank.core.errors import NotFound, Unauthorized
from corebank.core.middleware import route_template
from corebank.core.ratelimit import RateLimiter

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
SIZE_BUCKETS = (100, 1_000, 10_000, 100_000, 1_000_000)

# --- HTTP ---------------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "corebank_http_requests", "HTTP requests served", ["method", "route", "status_class"]
)
HTTP_DURATION = Histogram(
    "corebank_http_request_duration_seconds",
    "Time to serve a request",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
HTTP_IN_PROGRESS = Gauge(
    "corebank_http_requests_in_progress",
    "Requests being served",
    ["method"],
    multiprocess_mode="livesum",
)
HTTP_RESPONSE_SIZE = Histogram(
    "corebank_http_response_size_bytes",
    "Response body size",
    ["method", "route"],
    buckets=SIZE_BUCKETS,
)

# --- identity -----------------------------------------------------------------------------
LOGINS = Counter("corebank_auth_logins", "Login attempts by outcome", ["outcome"])
SCA_CHALLENGES = Counter(
    "corebank_sca_challenges",
    "Strong customer authentication for money out, by outcome (created, completed, failed, "
    "consumed, authorization_refused, pin_header, exempt_*)",
    ["outcome"],
)
LOCKOUTS = Counter("corebank_auth_lockouts", "Login identifiers locked")
UNLOCKS = Counter("corebank_auth_unlocks", "Users unlocked by an admin")
REFRESHES = Counter("corebank_auth_refreshes", "Token refreshes by outcome", ["outcome"])
REFRESH_REUSE = Counter("corebank_auth_refresh_reuse_detected", "Rotated refresh tokens reused")
PASSWORD_RESETS = Counter("corebank_auth_password_resets", "Password reset steps", ["step"])
ACTIVE_SESSIONS = Gauge(
    "corebank_auth_active_sessions",
    "Live sessions (read at scrape time)",
    multiprocess_mode="mostrecent",
)

# --- database -----------------------------------------------------------------------------
DB_POOL = Gauge(
    "corebank_db_pool_connections",
    "Connection pool by state",
    ["state"],
    multiprocess_mode="livesum",
)
DB_QUERY_DURATION = Histogram(
    "corebank_db_query_duration_seconds",
    "SQL statement time by operation",
    ["operation"],
    buckets=LATENCY_BUCKETS,
)
DB_RETRIES = Counter("corebank_db_transaction_retries", "Transactions run again", ["cause"])
DB_BREAKER_STATE = Gauge(
    "corebank_db_breaker_open",
    "1 while the database circuit breaker is open or half-open",
    multiprocess_mode="livemax",
)
DB_ROUTED_READS = Counter(
    "corebank_db_routed_reads",
    "Reads that may use the replica, by where they ran (primary, replica, fallback)",
    ["target"],
)
DB_BREAKER_FAILURES = Counter(
    "corebank_db_breaker_failures", "Connection-level database failures counted by the breaker"
)

# --- cache and rate limits ----------------------------------------------------------------
CACHE = Counter("corebank_cache_requests", "Cache lookups", ["cache", "result"])
RATE_LIMIT = Counter("corebank_rate_limit_decisions", "Rate-limit decisions", ["scope", "outcome"])
RATE_LIMIT_FALLBACK = Gauge(
    "corebank_rate_limit_fallback_active",
    "1 while Redis is down and limits are in-process",
    multiprocess_mode="livemax",
)

# --- ledger -------------------------------------------------------------------------------
LEDGER_TRANSACTIONS = Counter(
    "corebank_ledger_transactions", "Money movements by type and outcome", ["type", "outcome"]
)
APPROVALS = Counter(
    "corebank_approvals",
    "Maker-checker requests by operation and the status they moved to (pending when made)",
    ["operation", "status"],
)
LEDGER_AMOUNT = Counter(
    "corebank_ledger_amount_minor", "Amount moved, in minor units", ["type", "currency"]
)
LEDGER_OPEN_HOLDS = Gauge(
    "corebank_ledger_open_holds",
    "Open holds (read at scrape time)",
    multiprocess_mode="mostrecent",
)
IDEMPOTENT_REPLAYS = Counter(
    "corebank_idempotent_replays", "Requests answered from a stored idempotent response"
)

# --- events and external services ---------------------------------------------------------
OUTBOX_BACKLOG = Gauge(
    "corebank_outbox_backlog",
    "Undelivered outbox events (read at scrape time)",
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST_AGE = Gauge(
    "corebank_outbox_oldest_pending_seconds",
    "Age of the oldest undelivered event",
    multiprocess_mode="mostrecent",
)
STREAM_BACKLOG = Gauge(
    "corebank_stream_backlog",
    "Outbox events not yet confirmed by the broker (EVENT_BROKER_URL; read at scrape time)",
    multiprocess_mode="mostrecent",
)
STREAM_OLDEST_AGE = Gauge(
    "corebank_stream_oldest_pending_seconds",
    "Age of the oldest event not yet confirmed by the broker",
    multiprocess_mode="mostrecent",
)
OUTBOX_DELIVERIES = Counter(
    "corebank_outbox_deliveries", "Event deliveries by channel and outcome", ["channel", "outcome"]
)
WEBHOOK_BREAKERS_OPEN = Gauge(
    "corebank_webhook_breakers_open",
    "Webhook endpoints whose breaker is open",
    multiprocess_mode="livemax",
)
CREDIT_BUREAU_CALLS = Counter(
    "corebank_credit_bureau_calls", "Credit bureau calls by outcome", ["outcome"]
)


def status_class(status: int) -> str:
    return f"{status // 100}xx"


def request_started(scope: Scope) -> None:
    HTTP_IN_PROGRESS.labels(scope.get("method", "?")).inc()


def observe_request(scope: Scope, status: int, duration_ms: float) -> None:
    """The access-log observer: count and time one finished request by route template."""
    method, route = scope.get("method", "?"), route_template(scope)
    HTTP_IN_PROGRESS.labels(method).dec()
    HTTP_REQUESTS.labels(method, route, status_class(status)).inc()
    HTTP_DURATION.labels(method, route).observe(duration_ms / 1000)
    size = scope.get("state", {}).get("response_size")
    if size is not None:
        HTTP_RESPONSE_SIZE.labels(method, route).observe(size)


def _registry() -> CollectorRegistry:
    if not MULTIPROCESS:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def bearer_token(request: Request) -> str:
    """The bearer token of the request's Authorization header ("" when there is none)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def has_metrics_token(settings: Settings, request: Request) -> bool:
    """Whether the request carries the configured METRICS_TOKEN (compared in constant time)."""
    if settings.metrics_token is None:
        return False
    expected = settings.metrics_token.get_secret_value().encode()
    return secrets.compare_digest(bearer_token(request).encode(), expected)


#: Refreshes gauges at scrape time (run by GET /metrics before it renders).
ScrapeHook = Callable[[], Awaitable[None]]


def metrics_router() -> APIRouter:
    """GET /metrics: refresh the app's scrape-time gauges, then render every family."""
    router = APIRouter()

    @router.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        platform = request.app.state.container  # a core.platform.Platform
        settings = platform.settings
        if settings.metrics_token is None and settings.environment == "production":
            raise NotFound("Set METRICS_TOKEN to serve metrics in production.")
        if settings.metrics_token is not None and not has_metrics_token(settings, request):
            raise Unauthorized("A metrics token is required.")
        for hook in platform.scrape_hooks:
            await hook()
        return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)

    return router


def pool_hook(db: Database) -> ScrapeHook:
    async def refresh() -> None:
        pool = db.engine.pool
        for state, reader in (
            ("size", "size"),
            ("checked_out", "checkedout"),
            ("overflow", "overflow"),
        ):
            read = getattr(pool, reader, None)
            if callable(read):
                DB_POOL.labels(state).set(read())

    return refresh


def instrument_database(db: Database) -> None:
    """Time every statement by operation (on the replica too); follow the breaker's state;
    count the reads that may use the replica by where they ran."""
    _time_statements(db.engine)
    if db.replica_engine is not None:
        _time_statements(db.replica_engine)
    db.statement_observers.append(_observe_statement)
    db.routing_listeners.append(lambda target: DB_ROUTED_READS.labels(target).inc())
    db.breaker_listeners.append(lambda state: DB_BREAKER_STATE.set(state != "closed"))
    db.failure_listeners.append(DB_BREAKER_FAILURES.inc)
    db.retry_listeners.append(lambda cause: DB_RETRIES.labels(cause).inc())


def _time_statements(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info.setdefault("corebank.query_start", []).append(time.perf_counter())

    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _stop(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        started = conn.info.get("corebank.query_start")
        if started:
            _observe_statement(statement, time.perf_counter() - started.pop())


SQL_OPERATIONS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "ROLLBACK"})


def _observe_statement(statement: str, seconds: float) -> None:
    _statement_histogram(statement).observe(seconds)


@functools.lru_cache(maxsize=1024)
def _statement_histogram(statement: str) -> Histogram:
    """The histogram child of `statement`'s operation, kept per SQL text: the app sends a few
    hundred distinct statements over and over."""
    operation = statement.lstrip().split(" ", 1)[0].upper()
    return DB_QUERY_DURATION.labels(operation if operation in SQL_OPERATIONS else "OTHER")


def instrument(*, db: Database, rate_limiter: RateLimiter) -> None:
    """Hook the database and the rate limiter to their metrics."""
    instrument_database(db)
    rate_limiter.on_decision.append(
        lambda scope, allowed: RATE_LIMIT.labels(scope, "allowed" if allowed else "refused").inc()
    )
    rate_limiter.on_fallback.append(lambda active: RATE_LIMIT_FALLBACK.set(int(active)))
