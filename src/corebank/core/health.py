"""Liveness, readiness and a detailed dependency report."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from corebank import __version__
from corebank.core.db import Database
from corebank.core.errors import Forbidden, Unauthorized
from corebank.core.jsonio import JSONBody
from corebank.core.metrics import bearer_token, has_metrics_token
from corebank.core.migrate import current_revision, head_revision
from corebank.core.platform import Platform, platform_of

router = APIRouter(tags=["health"])
CHECK_TIMEOUT_SECONDS = 2.0

Status = Literal["ok", "degraded", "down"]


class Liveness(BaseModel):
    status: Literal["ok"]
    version: str


class Readiness(BaseModel):
    status: Literal["ok", "down"]
    database: str
    migrations: str
    reason: str | None = None


class DependencyStatus(BaseModel):
    status: Literal["ok", "down"]
    required: bool
    latency_ms: float | None
    detail: str | None = None


class DetailedHealth(BaseModel):
    status: Status
    version: str
    dependencies: dict[str, DependencyStatus]


async def _timed(check: Callable[[], Awaitable[object]], *, required: bool) -> DependencyStatus:
    start = time.perf_counter()
    try:
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    except Exception as exc:
        return DependencyStatus(
            status="down", required=required, latency_ms=None, detail=type(exc).__name__
        )
    latency = round((time.perf_counter() - start) * 1000, 2)
    return DependencyStatus(status="ok", required=required, latency_ms=latency)


@router.get("/health", summary="Liveness", response_model=Liveness)
async def liveness() -> Liveness:
    """The process is up and serving; no dependency is touched."""
    return Liveness(status="ok", version=__version__)


async def _probe_through_breaker(db: Database) -> None:
    """A half-open breaker lets one call through: this ping is it, and closes the breaker."""
    async with db.breaker:
        await db.ping()


async def _database_readiness(db: Database) -> DependencyStatus:
    """The database as requests meet it: down while its circuit breaker is open, even when
    a ping would answer (requests still get 503 then); once the breaker is half-open,
    readiness's own ping is the probe that closes it."""
    state = db.breaker.state
    if state == "open":
        return DependencyStatus(
            status="down", required=True, latency_ms=None, detail="circuit breaker open"
        )
    if state == "half_open":
        status = await _timed(lambda: _probe_through_breaker(db), required=True)
        if status.status == "down" and status.detail == "CircuitOpenError":
            status.detail = "circuit breaker half_open, probe in progress"
        return status
    return await _timed(db.ping, required=True)


def _retry_after(db: Database) -> str:
    """Seconds until the breaker lets a call through, or 5 for any other reason."""
    if db.breaker.state == "closed":
        return "5"
    return str(max(1, math.ceil(db.breaker.retry_after())))


@router.get(
    "/health/ready",
    summary="Readiness",
    response_model=Readiness,
    response_model_exclude_none=True,
    responses={
        503: {
            "description": "The database is down, its circuit breaker is open, or it is not "
            "migrated to head; `reason` says which"
        }
    },
)
async def readiness(request: Request) -> JSONBody:
    """Ready when the database answers, its circuit breaker is closed and its schema is at
    the newest migration."""
    db = platform_of(request).db
    database = await _database_readiness(db)
    migrations = "unknown"
    if database.status == "ok":
        try:
            current = await asyncio.wait_for(current_revision(db.engine), CHECK_TIMEOUT_SECONDS)
            migrations = "at head" if current == head_revision() else f"at {current}, not head"
        except Exception as exc:
            migrations = f"unknown ({type(exc).__name__})"
    ok = database.status == "ok" and migrations == "at head"
    body = Readiness(
        status="ok" if ok else "down",
        database=database.status,
        migrations=migrations,
        reason=database.detail,
    )
    headers = None if ok else {"Retry-After": _retry_after(db)}
    return JSONBody(
        body.model_dump(exclude_none=True), status_code=200 if ok else 503, headers=headers
    )


async def _require_operator(request: Request, platform: Platform) -> None:
    """401/403 unless the caller sends the metrics token or a staff access token."""
    if has_metrics_token(platform.settings, request):
        return
    token = bearer_token(request)
    if not token:
        raise Unauthorized("Send the metrics token or a staff access token.")
    if platform.is_staff_token is None or not await platform.is_staff_token(token):
        raise Forbidden("The dependency report is for staff and monitoring only.")


@router.get(
    "/health/detailed",
    summary="Dependency report",
    response_model=DetailedHealth,
    responses={
        401: {"description": "In production: no metrics token or staff access token sent"},
        403: {"description": "In production: the token is not staff's"},
        503: {"description": "A required dependency is down"},
    },
)
async def detailed(request: Request) -> JSONBody:
    """Each dependency's status and latency; 503 when a required one is down."""
    platform = platform_of(request)
    if not platform.settings.health_details_public:
        await _require_operator(request, platform)
    probes = platform.probes
    results = await asyncio.gather(
        *(_timed(probe.call, required=probe.required) for probe in probes.values())
    )
    dependencies = dict(zip(probes, results, strict=True))
    breaker = platform.db.breaker
    dependencies["database"].detail = f"circuit breaker {breaker.state}"
    if any(d.status == "down" and d.required for d in dependencies.values()):
        overall: Status = "down"
    elif any(d.status == "down" for d in dependencies.values()):
        overall = "degraded"
    else:
        overall = "ok"
    body = DetailedHealth(status=overall, version=__version__, dependencies=dependencies)
    return JSONBody(body.model_dump(), status_code=503 if overall == "down" else 200)
