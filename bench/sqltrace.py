"""Round trips per request: every statement the app sends to PostgreSQL for one request of each
scenario, on an in-process app (the same `create_app`, settings, middleware and pool as
`corebank serve`, driven through httpx's ASGI transport): SQLAlchemy's statements from its
cursor events, those sent on the driver (core/sql.py) from the Database's statement
observers, and BEGIN/COMMIT/ROLLBACK (and the pre-ping) from asyncpg's query logger.

Run by `bench.run` against the seeded bench database (its output: `sql-trace.md` in the run
directory). Standalone: `DATABASE_URL=postgresql+asyncpg://... SECRET_KEY=... python -m
bench.sqltrace --staff-token T --customer-token T --customer-account N --account N
--busy-account N --term smith --login-email E --password P`; prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from typing import Any

import httpx
from sqlalchemy import event

from corebank.config import Settings
from corebank.main import create_app

_STATEMENTS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "SAVEPOINT", "RELEASE")


def _first_line(sql: str) -> str:
    return " ".join(sql.split())[:160]


async def trace(args: argparse.Namespace) -> dict[str, list[str]]:
    settings = Settings(
        rate_limit_enabled=False, outbox_dispatcher_in_process=False, log_level="WARNING"
    )
    app = create_app(settings)
    log: list[str] = []

    engine = app.state.container.db.engine.sync_engine
    pending: list[bool] = [False]  # a SQLAlchemy statement is announced but not yet sent

    def on_query(record: Any) -> None:
        # asyncpg logs its simple queries (BEGIN, COMMIT, ROLLBACK, the pre-ping's ";"),
        # executemany and what the app sends on the driver itself, on the next turn of the
        # loop; the statements are counted where they are announced (cursor events, the
        # observers), so only the transaction control is taken from here. SQLAlchemy's lazy
        # BEGIN runs between the cursor event of the first statement and that statement, so
        # it goes before it.
        sql = _first_line(record.query)
        if sql.upper().startswith(_STATEMENTS):
            return
        if pending[0] and log:
            log.insert(len(log) - 1, sql)
        else:
            log.append(sql)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.driver_connection.add_query_logger(on_query)

    app.state.container.db.statement_observers.append(
        lambda sql, _seconds: log.append(_first_line(sql))
    )

    @event.listens_for(engine, "before_cursor_execute")
    def _before(*args: Any) -> None:
        statement, executemany = args[2], args[5]
        log.append(_first_line(statement) + (" [executemany]" if executemany else ""))
        pending[0] = True

    @event.listens_for(engine, "after_cursor_execute")
    def _after(*_args: Any) -> None:
        pending[0] = False

    staff = {"Authorization": f"Bearer {args.staff_token}"}
    customer = {"Authorization": f"Bearer {args.customer_token}"}

    def transfer() -> tuple[str, str, dict[str, Any], dict[str, str]]:
        body = {
            "from_account_id": args.account,
            "to_account_id": args.account + 1,
            "amount": "1.00",
        }
        headers = {**staff, "Idempotency-Key": uuid.uuid4().hex}
        return "POST", "/api/v1/transfers", body, headers

    flows: dict[str, Any] = {
        "GET /health": lambda: ("GET", "/health", None, {}),
        "GET /api/v1/accounts/{id} (staff)": lambda: (
            "GET",
            f"/api/v1/accounts/{args.account}",
            None,
            staff,
        ),
        "GET /api/v1/accounts/{id} (customer, own)": lambda: (
            "GET",
            f"/api/v1/accounts/{args.customer_account}",
            None,
            customer,
        ),
        "GET /api/v1/accounts/{id}/transactions": lambda: (
            "GET",
            f"/api/v1/accounts/{args.busy_account}/transactions?limit=50",
            None,
            staff,
        ),
        "GET /api/v1/customers?q=": lambda: (
            "GET",
            f"/api/v1/customers?q={args.term}",
            None,
            staff,
        ),
        "POST /api/v1/transfers (staff, Idempotency-Key)": transfer,
        "POST /api/v1/auth/login": lambda: (
            "POST",
            "/api/v1/auth/login",
            {"username": args.login_email, "password": args.password},
            {},
        ),
    }
    traced: dict[str, list[str]] = {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for name, make in flows.items():
            for attempt in range(2):  # the first one opens connections; the second is traced
                log.clear()
                method, path, body, headers = make()
                reply = await client.request(method, path, json=body, headers=headers)
                if reply.status_code >= 400:
                    raise SystemExit(f"{name}: HTTP {reply.status_code} {reply.text[:300]}")
                if attempt == 1:
                    traced[name] = list(log)
    await app.state.container.db.dispose()
    return traced


def markdown(traced: dict[str, list[str]]) -> str:
    lines = [
        "| request | statements sent (round trips) |",
        "|---|---:|",
        *(f"| {name} | {len(stmts)} |" for name, stmts in traced.items()),
        "",
    ]
    for name, stmts in traced.items():
        lines += [f"### {name}", "", *(f"{i}. `{s}`" for i, s in enumerate(stmts, 1)), ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("staff-token", "customer-token", "term", "login-email", "password"):
        parser.add_argument(f"--{name}", required=True)
    for name in ("account", "customer-account", "busy-account"):
        parser.add_argument(f"--{name}", type=int, required=True)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    traced = asyncio.run(trace(args))
    sys.stdout.write((markdown(traced) if args.markdown else json.dumps(traced)) + "\n")


if __name__ == "__main__":
    main()
