"""The baselines served over HTTP: a bare FastAPI app on the same server as corebank.

- `GET /json`: a constant JSON body of `BENCH_JSON_BYTES` bytes (the size of corebank's account
  response), nothing else: the cost of FastAPI + uvicorn per request.
- `GET /accounts/{id}`: the same account row read with one raw asyncpg (or aiosqlite) query
  and returned with the same fields: the cost of one database round trip and nothing else.

Served by `python -m bench.baseline_app --port P --workers N` through `uvicorn.run` with the
same options `corebank serve` uses (httptools, the same event loop, no server header, no log
config).
"""

from __future__ import annotations

import argparse
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, HTTPException

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


def create_app() -> FastAPI:
    dsn = os.environ["BENCH_BASELINE_DSN"]
    pool_size = int(os.environ.get("BENCH_BASELINE_POOL", "20"))
    body = _padded_body(int(os.environ.get("BENCH_JSON_BYTES", "400")))
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
        yield
        if "sqlite" in state:
            await state["sqlite"].close()
        else:
            await state["pool"].close()

    app = FastAPI(lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/json")
    async def constant_json() -> dict[str, str]:
        return body

    @app.get("/accounts/{account_id}")
    async def read_account(account_id: int) -> dict[str, Any]:
        if "sqlite" in state:
            async with state["sqlite"].execute(ACCOUNT_SQL_SQLITE, (account_id,)) as cursor:
                row = await cursor.fetchone()
        else:
            row = await state["pool"].fetchrow(ACCOUNT_SQL_PG, account_id)
        if row is None:
            raise HTTPException(404)
        return _account(row)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18001)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--loop", default=DEFAULT_EVENT_LOOP.value)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
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
