"""The application factory: settings in, a fully wired FastAPI app out."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware

from corebank import __version__
from corebank.accounts import router as accounts_router
from corebank.approvals import router as approvals_router
from corebank.attestation import router as attestation_router
from corebank.audit import router as audit_router
from corebank.config import Environment, Settings, opened_in_production
from corebank.container import build_container, close_container
from corebank.core import health, metrics, observability
from corebank.core.api import API_PREFIX
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.docs import docs_router
from corebank.core.errors import install_error_handlers
from corebank.core.logging import configure_logging
from corebank.core.middleware import (
    ClientAddressResolver,
    CORSMiddleware,
    DeclaredBodyLimitMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
)
from corebank.core.ratelimit import DefaultRateLimitMiddleware, RateLimiter
from corebank.core.replica import READ_PRIMARY_HEADER, ReadYourWritesMiddleware
from corebank.credit import router as credit_router
from corebank.customers import router as customers_router
from corebank.events import router as webhooks_router
from corebank.identity import mfa_router, users_router
from corebank.identity import router as auth_router
from corebank.identity.tokens import TokenService
from corebank.ledger import history_router as ledger_history_router
from corebank.ledger import router as ledger_router
from corebank.lending import router as lending_router
from corebank.sca import router as sca_router

log = structlog.get_logger(__name__)

DESCRIPTION = """
A banking API: identity, customers, accounts and a double-entry ledger.

Errors are [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) problem details. Money is a decimal
string with exactly the currency's minor digits. Lists use cursor pagination.
"""


class ServiceInfo(BaseModel):
    name: str
    version: str
    docs: str
    redoc: str
    openapi: str
    health: str


def _root_router(app_name: str) -> APIRouter:
    router = APIRouter(tags=["service"])

    @router.get("/", summary="Service information", response_model=ServiceInfo)
    async def root() -> ServiceInfo:
        """The service's name and version, with links to its documentation."""
        return ServiceInfo(
            name=app_name,
            version=__version__,
            docs="/docs",
            redoc="/redoc",
            openapi=f"{API_PREFIX}/openapi.json",
            health="/health",
        )

    return router


def operation_id(route: APIRoute) -> str:
    """A route's OpenAPI operationId: its function's name (`transfer`, `list_accounts`).

    The generated clients (clients/, docs/clients.md) name their calls after it, so it stays
    short and survives a path change; FastAPI warns (an error in the tests) if two routes share
    a name.
    """
    return route.name


def api_routers() -> list[APIRouter]:
    """Every /api/v1 route: each domain's router is listed here, one line each.

    Domain routers carry the full prefix themselves (`API_PREFIX` + their path) so that the
    route template logged and measured per request is the whole public path. They are
    included straight into the app, busiest first: FastAPI matches routes one by one, through
    every level of nesting, so a flat list with the money paths at its head is the cheapest.
    """
    return [
        accounts_router.router,
        ledger_history_router.router,
        ledger_router.router,
        customers_router.router,
        auth_router.router,
        users_router.router,
        mfa_router.router,
        sca_router.router,
        credit_router.router,
        approvals_router.router,
        lending_router.router,
        audit_router.router,
        attestation_router.router,
        webhooks_router.router,
    ]


def freeze_startup_heap() -> None:
    """Move everything built at startup out of the garbage collector's sight.

    The app's modules, routes and models are ~180,000 tracked objects that live for the whole
    process; a full collection walked all of them, about 100 ms on the bench machine, and
    those pauses were the p99 of every endpoint. Frozen, they are never scanned again.
    Once per process: a test run builds many apps, and frozen garbage is never reclaimed.
    """
    global _heap_frozen
    if _heap_frozen:
        return
    _heap_frozen = True
    gc.collect()
    gc.freeze()


_heap_frozen = False


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """Build the app. Tests pass their own settings, database and clock; `serve` passes none."""
    settings = settings or Settings()
    configure_logging(level=settings.log_level, fmt=settings.effective_log_format)
    opened = opened_in_production(settings)
    if opened:
        log.warning("production.defaults_opened", settings=opened)
    container = build_container(settings, database=database, clock=clock)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        container.audit_sealer.start()
        if settings.outbox_dispatcher_in_process:
            container.dispatcher.start()
        container.auth.session_cache.start()
        freeze_startup_heap()
        yield
        await close_container(container)

    docs = settings.docs_enabled
    app = FastAPI(
        title="corebank",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json" if docs else None,
        docs_url=None,  # /docs and /redoc come from core/docs.py, with assets from the package
        redoc_url=None,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.container = container
    # Starlette would answer a trailing slash with a redirect built from the request's Host;
    # nothing is ever built from it here, so /path/ is a plain 404 (routes have no slash).
    app.router.redirect_slashes = False
    observability.setup_tracing(app, settings, container.db)
    observability.setup_sentry(settings)
    install_error_handlers(app)
    _include_routers(app)
    add_middleware(
        app,
        settings,
        rate_limiter=container.rate_limiter,
        user_of=container.tokens.peek_user_id,
    )
    return app


def _include_routers(app: FastAPI) -> None:
    app.include_router(health.router)
    app.include_router(attestation_router.well_known_router)
    for domain_router in api_routers():
        app.include_router(domain_router)
    app.include_router(metrics.metrics_router())
    app.include_router(_root_router(app.title))
    app.include_router(docs_router(app))


def add_middleware(
    app: FastAPI,
    settings: Settings,
    *,
    rate_limiter: RateLimiter | None = None,
    user_of: Callable[[str], int | None] | None = None,
) -> None:
    """The middleware stack, innermost first (each add wraps everything added before).

    `create_app` passes its container's rate limiter and token check; without them (the
    bench's stack baseline, bench/baseline_app.py, wraps a bare app in this very stack) the
    stack gets its own, built from `settings`.
    """
    rate_limiter = rate_limiter or RateLimiter(settings)
    user_of = user_of or TokenService(settings.signing_key).peek_user_id
    if settings.database_replica_url and settings.replica_sticky_seconds > 0:
        app.add_middleware(
            ReadYourWritesMiddleware,
            sticky_seconds=settings.replica_sticky_seconds,
            secure_cookie=settings.environment == Environment.production,
        )
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=settings.body_limit_bytes)
    app.add_middleware(DeclaredBodyLimitMiddleware, max_bytes=settings.body_limit_bytes)
    app.add_middleware(
        DefaultRateLimitMiddleware,
        prefix=API_PREFIX,
        limiter=rate_limiter,
        limit=settings.rate_limit_default,
        user_of=user_of,
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=settings.allowed_hosts)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_credentials=settings.cors_allow_credentials,
        allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        allow_headers=CORS_REQUEST_HEADERS,
        expose_headers=CORS_RESPONSE_HEADERS,
        max_age=600,
    )
    app.add_middleware(
        RequestContextMiddleware,
        resolver=ClientAddressResolver(settings.trusted_proxies),
        slow_request_ms=settings.slow_request_ms,
        observers=[metrics.observe_request],
        starters=[metrics.request_started],
        error_reporters=[observability.report_exception],
    )
    app.add_middleware(
        SecurityHeadersMiddleware, hsts=settings.environment == Environment.production
    )


CORS_REQUEST_HEADERS = [
    "Authorization",
    "Content-Type",
    "Idempotency-Key",
    "X-Transaction-PIN",
    "X-SCA-Authorization",
    "X-Correlation-ID",
    "X-Request-ID",
    READ_PRIMARY_HEADER,
]
CORS_RESPONSE_HEADERS = [
    "X-Correlation-ID",
    "Retry-After",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Idempotency-Replayed",
    READ_PRIMARY_HEADER,
]
