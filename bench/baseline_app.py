"""The baselines served over HTTP: a bare FastAPI app on the same server as corebank.

- `GET /json`: a constant JSON body of `BENCH_JSON_BYTES` bytes (the size of corebank's account
  response), nothing else: the cost of FastAPI + uvicorn per request.
- `GET /accounts/{id}`: the same account row read with one raw asyncpg (or aiosqlite) query
  and returned with the same fields: the cost of one database round trip and nothing else.
- `GET /api/v1/json` and `GET /api/v1/accounts/{id}`: the same two endpoints wrapped in the
  very middleware stack corebank installs (`corebank.main.add_middleware`, with the settings
  the app gets from the same environment): what the stack costs beside the bare app, and what
  the app's handler costs beside the stack.

Both apps are one process and share one connection pool (a third pool of 20 per worker would
not fit beside the app's and pgbench's under PostgreSQL's max_connections); a path under
/api/v1 goes to the stacked app, anything else to the bare one. Like the app, the process
freezes its startup heap (`corebank.main.freeze_startup_heap`), since it imports all of
corebank for the stack, and with several workers shares Prometheus values through
PROMETHEUS_MULTIPROC_DIR as `corebank serve` does.

Served by `python -m bench.baseline_app --port P --workers N` through `uvicorn.run` with the
same options `corebank serve` uses (httptools, the same event loop, no server header, no log
config).
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from corebank.config import Settings
from corebank.core.api import API_PREFIX
from corebank.core.logging import configure_logging
from corebank.main import add_middleware, freeze_startup_heap
from corebank.serving import DEFAULT_EVENT_LOOP

ACCOUNT_COLUMNS = (
    "id, number, customer_id, type, currency, status, nickname, balance_minor, held_minor, "
    "overdraft_limit_minor, created_at, updated_at, closed_at"
)
ACCOUNT_SQL_PG = f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1 AND kind = 'customer'"
ACCOUNT_SQL_SQLITE = f"SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ? AND kind = 'customer'"


def _money(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    whole, cents = divmod(abs(minor), 100)
    return f"{sign}{whole}.{cents:02d}"


def _account(row: Any) -> dict[str, Any]:
    return {
        "id": row[0],
        "number": row[1],
        "customer_id": row[2],
        "type": row[3],
        "currency": row[4],
        "status": row[5],
        "nickname": row[6],
        "balance": _money(row[7]),
        "available_balance": _money(row[7] - row[8]),
        "overdraft_limit": _money(row[9]),
        "created_at": row[10],
        "updated_at": row[11],
        "closed_at": row[12],
    }


def _padded_body(size: int) -> dict[str, str]:
    """A JSON object whose compact encoding is `size` bytes (at least 12)."""
    return {"message": "x" * max(0, size - len('{"message":""}'))}


def _add_routes(app: FastAPI, prefix: str, body: dict[str, str], state: dict[str, Any]) -> None:
    """The constant JSON body and the raw account read, under `prefix`."""

    @app.get(f"{prefix}/json")
    async def constant_json() -> dict[str, str]:
        return body

    @app.get(f"{prefix}/accounts/{{account_id}}")
    async def read_account(account_id: int) -> dict[str, Any]:
        if "sqlite" in state:
            async with state["sqlite"].execute(ACCOUNT_SQL_SQLITE, (account_id,)) as cursor:
                row = await cursor.fetchone()
        else:
            row = await state["pool"].fetchrow(ACCOUNT_SQL_PG, account_id)
        if row is None:
            raise HTTPException(404)
        return _account(row)


def _by_prefix(bare: ASGIApp, stacked: ASGIApp) -> ASGIApp:
    """Requests under /api/v1 to the stacked app; the rest, and the lifespan, to the bare one."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(API_PREFIX):
            await stacked(scope, receive, send)
        else:
            await bare(scope, receive, send)

    return app


def create_app() -> ASGIApp:
    dsn = os.environ["BENCH_BASELINE_DSN"]
    pool_size = int(os.environ.get("BENCH_BASELINE_POOL", "20"))
    body = _padded_body(int(os.environ.get("BENCH_JSON_BYTES", "400")))
    settings = Settings()
    configure_logging(level=settings.log_level, fmt=settings.effective_log_format)
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if dsn.startswith("sqlite:"):
            import aiosqlite

            state["sqlite"] = await aiosqlite.connect(dsn.removeprefix("sqlite:"))
        else:
            import asyncpg

            state["pool"] = await asyncpg.create_pool(
                dsn, min_size=max(1, pool_size // 2), max_size=pool_size
            )
        freeze_startup_heap()
        yield
        if "sqlite" in state:
            await state["sqlite"].close()
        else:
            await state["pool"].close()

    bare = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    _add_routes(bare, "", body, state)
    stacked = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    _add_routes(stacked, API_PREFIX, body, state)
    add_middleware(stacked, settings)
    return _by_prefix(bare, stacked)


def _share_metrics_between_workers() -> None:
    """What `corebank serve` does before its workers start: one Prometheus directory."""
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="corebank-bench-metrics-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18001)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--loop", default=DEFAULT_EVENT_LOOP.value)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.workers > 1:
        _share_metrics_between_workers()
    uvicorn.run(
        "bench.baseline_app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        server_header=False,
        proxy_headers=False,
        log_config=None,
        log_level="warning",
        timeout_graceful_shutdown=20,
        loop=args.loop,
    )


if __name__ == "__main__":
    main()
