"""CPU time per request, in-process and deterministic enough to compare two commits.

Drives one scenario N times, one request at a time, through httpx's ASGI transport against
the same `create_app` and pool as `corebank serve`, and prints the process CPU time per
request; with `--cprofile`, the top functions by cumulative and own time. No HTTP server and
no load driver share the cores, so the figure moves only when the app's code does (PostgreSQL's
own CPU is not counted).

Needs a seeded bench database (`python -m bench.run --keep-db ...` leaves one):

    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/corebank_bench \\
        python -m bench.cpuprof --scenario account --requests 2000 [--cprofile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import secrets
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import event

from corebank.config import Settings
from corebank.identity.tokens import TokenType
from corebank.main import create_app

Request = tuple[str, str, dict[str, Any] | None, dict[str, str]]


def _scenarios(token: str, account_id: int) -> dict[str, Callable[[], Request]]:
    staff = {"Authorization": f"Bearer {token}"}

    def transfer() -> Request:
        body = {"from_account_id": account_id, "to_account_id": account_id + 1, "amount": "0.01"}
        return "POST", "/api/v1/transfers", body, {**staff, "Idempotency-Key": uuid.uuid4().hex}

    return {
        "health": lambda: ("GET", "/health", None, {}),
        "account": lambda: ("GET", f"/api/v1/accounts/{account_id}", None, staff),
        "transactions": lambda: (
            "GET",
            f"/api/v1/accounts/{account_id}/transactions?limit=50",
            None,
            staff,
        ),
        "search": lambda: ("GET", "/api/v1/customers?q=smith", None, staff),
        "transfer": transfer,
    }


async def measure(args: argparse.Namespace) -> None:
    settings = Settings(
        rate_limit_enabled=False,
        outbox_dispatcher_in_process=False,
        log_level="WARNING",
        secret_key=secrets.token_urlsafe(32),
    )
    app = create_app(settings)
    now = datetime.now(UTC)
    token, _ = app.state.container.tokens.issue(
        user_id=args.user_id,
        session_id=args.session_id,
        role="staff",
        token_type=TokenType.access,
        now=now,
        lifetime=timedelta(hours=1),
    )
    make = _scenarios(token, args.account)[args.scenario]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:

        async def once() -> None:
            method, path, body, headers = make()
            reply = await client.request(method, path, json=body, headers=headers)
            if reply.status_code >= 400:
                raise SystemExit(f"HTTP {reply.status_code} {reply.text[:300]}")

        async def loop(count: int) -> None:
            for _ in range(count):
                await once()

        async def run(total: int) -> None:
            share = total // args.concurrency
            await asyncio.gather(*(loop(share) for _ in range(args.concurrency)))

        await run(min(200, args.requests))
        connects = [0]
        event.listen(
            app.state.container.db.engine.sync_engine, "connect", lambda *_: _count(connects)
        )
        profiler = cProfile.Profile() if args.cprofile else None
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        await run(args.requests)
        if profiler:
            profiler.disable()
        cpu = time.process_time() - started_cpu
        wall = time.perf_counter() - started_wall
    await app.state.container.db.dispose()
    sys.stdout.write(
        f"{args.scenario}: {1000 * cpu / args.requests:.3f} ms CPU/request, "
        f"{1000 * wall / args.requests:.3f} ms wall/request over {args.requests} requests "
        f"at concurrency {args.concurrency} (client included); {connects[0]} new database "
        "connections\n"
    )
    if profiler:
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        sys.stdout.write(out.getvalue())
        sys.stdout.write(by_package(stats, args.requests))
        if args.save:
            stats.dump_stats(args.save)


def _package(filename: str) -> str:
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0]
    if "/corebank/" in filename:
        return "corebank/" + filename.split("/corebank/")[1].split("/")[0]
    if filename.startswith("/"):
        return "stdlib"
    return "builtins"


def by_package(stats: pstats.Stats, requests: int) -> str:
    """Own time and calls per request, summed by package (site-packages name)."""
    own: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    for (filename, _, _), (_, ncalls, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        own[_package(filename)] += tottime
        calls[_package(filename)] += ncalls
    total = sum(own.values()) or 1.0
    lines = ["", "| package | own % | calls/request |", "|---|---:|---:|"]
    lines += [
        f"| {name} | {100 * t / total:.1f} | {calls[name] / requests:.0f} |"
        for name, t in own.most_common(20)
    ]
    lines.append(f"| all | 100 | {sum(calls.values()) / requests:.0f} |")
    return "\n".join(lines) + "\n"


def _count(counter: list[int]) -> None:
    counter[0] += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="account", choices=sorted(_scenarios("", 1)))
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight")
    parser.add_argument("--account", type=int, default=2)
    parser.add_argument("--user-id", type=int, default=1)
    parser.add_argument("--session-id", type=int, default=1)
    parser.add_argument("--cprofile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--save", help="with --cprofile: write the pstats file here")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
