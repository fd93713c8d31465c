"""How long an attestation of 1,000,000 postings takes: full, incremental with nothing new,
and incremental after 1,000 new entries (docs/ledger.md, "Signed attestation").

Creates its own PostgreSQL database, migrates it, and seeds it with SQL (generate_series
straight into the tables, consistent with every invariant): ACCOUNTS customer accounts in USD
and the USD settlement account, and POSTINGS / 2 deposits, each a +1.00 posting on a customer
account and a -1.00 posting on the settlement account, created a day ago. The 1,000 new
entries are deposits made the same way, created just now. Drops the database at the end unless
--keep-db.

    python -m bench.attestation [--postings 1000000] [--accounts 10000] [--keep-db]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import timedelta
from typing import Any

import asyncpg

from corebank.attestation import service
from corebank.config import Settings
from corebank.container import build_container, close_container
from corebank.core.migrate import upgrade
from corebank.ledger.verify import verify_ledger

ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE = "corebank_bench_attestation"
ENTRY = 100  # 1.00 USD per deposit

#: (statement, its arguments by name): A accounts, M the amount, F and L the first and last
#: entry id, AGE how long ago the entries were made.
SEED = [
    (
        """INSERT INTO accounts (id, number, customer_id, kind, type, currency, status,
               balance_minor, held_minor, overdraft_limit_minor, created_at, updated_at)
           SELECT a, lpad(a::text, 12, '0'), NULL, 'customer', 'checking', 'USD', 'active',
                  0, 0, 0, now() - interval '2 days', now() - interval '2 days'
           FROM generate_series(1, $1::bigint) AS a""",
        ("A",),
    ),
    (
        """INSERT INTO accounts (id, number, customer_id, kind, type, currency, status,
               balance_minor, held_minor, overdraft_limit_minor, created_at, updated_at)
           VALUES ($1::bigint + 1, 'SETTLEMENTUS', NULL, 'settlement', 'checking', 'USD',
                   'active', 0, 0, 0, now() - interval '2 days', now() - interval '2 days')""",
        ("A",),
    ),
]
#: Deposits F..L: entry e credits account ((e-1) % A) + 1 (its k-th deposit: posting 2e-1)
#: and debits the settlement account (its e-th: posting 2e).
DEPOSITS = [
    (
        """INSERT INTO journal_entries (id, type, currency, amount_minor, created_at)
           SELECT e, 'deposit', 'USD', $1::bigint, now() - $4::interval
           FROM generate_series($2::bigint, $3::bigint) AS e""",
        ("M", "F", "L", "AGE"),
    ),
    (
        """INSERT INTO postings (id, entry_id, account_id, amount_minor, balance_after_minor,
               created_at)
           SELECT 2 * e - 1, e, ((e - 1) % $4::bigint) + 1, $1::bigint,
                  $1::bigint * ((e - 1) / $4::bigint + 1), now() - $5::interval
           FROM generate_series($2::bigint, $3::bigint) AS e
           UNION ALL
           SELECT 2 * e, e, $4::bigint + 1, -$1::bigint, -$1::bigint * e, now() - $5::interval
           FROM generate_series($2::bigint, $3::bigint) AS e""",
        ("M", "F", "L", "A", "AGE"),
    ),
    (
        """UPDATE accounts SET balance_minor = balance_minor + $1::bigint * moved.n
           FROM (SELECT ((e - 1) % $4::bigint) + 1 AS account_id, count(*) AS n
                 FROM generate_series($2::bigint, $3::bigint) AS e GROUP BY 1) AS moved
           WHERE accounts.id = moved.account_id""",
        ("M", "F", "L", "A"),
    ),
    (
        """UPDATE accounts SET balance_minor = -$1::bigint * $2::bigint
           WHERE id = $3::bigint + 1""",
        ("M", "L", "A"),
    ),
]
SEQUENCES = ("accounts", "journal_entries", "postings")


def out(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def fresh_database() -> str:
    admin = await asyncpg.connect(ADMIN_DSN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{DATABASE}"')
    finally:
        await admin.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{DATABASE}"


async def run_sql(url: str, statements: list[Any], values: dict[str, Any]) -> None:
    connection = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        async with connection.transaction():
            for statement, names in statements:
                await connection.execute(statement, *(values[name] for name in names))
            for table in SEQUENCES:
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def seed(url: str, *, accounts: int, entries: int) -> None:
    values = {"A": accounts, "M": ENTRY, "F": 1, "L": entries, "AGE": timedelta(days=1)}
    await run_sql(url, SEED + DEPOSITS, values)


async def new_entries(url: str, *, accounts: int, after: int, count: int) -> None:
    """`count` more deposits, made just now (not settled yet: checked, not folded in)."""
    values = {"A": accounts, "M": ENTRY, "F": after + 1, "L": after + count, "AGE": timedelta()}
    await run_sql(url, DEPOSITS, values)


async def timed(label: str, work: Any) -> Any:
    started = time.perf_counter()
    result = await work
    out(f"{label}: {time.perf_counter() - started:.2f} s")
    return result


def summary(document: dict[str, Any]) -> str:
    body = document["attestation"]
    checkpoint = body["checkpoint"]
    return (
        f"  ok={body['ok']} mode={checkpoint['mode']} entries_checked="
        f"{checkpoint['entries_checked']} postings_checked={checkpoint['postings_checked']} "
        f"journal={body['journal']}"
    )


async def main(args: argparse.Namespace) -> None:
    url = await fresh_database()
    settings = Settings(_env_file=None, database_url=url, environment="test")  # type: ignore[call-arg]
    container = build_container(settings)
    try:
        await upgrade(container.db.engine)
        await timed(
            f"seed {args.postings:,} postings on {args.accounts:,} accounts",
            seed(url, accounts=args.accounts, entries=args.postings // 2),
        )
        ctx = container.attestation
        report = await timed("corebank ledger verify (for comparison)", verify_ledger(container.db))
        out(f"  ok={report.ok} postings={report.postings}")
        out(summary(await timed("attestation, full", service.attest(ctx, full=True))))
        out(summary(await timed("attestation, incremental, nothing new", service.attest(ctx))))
        entries = args.postings // 2
        await new_entries(url, accounts=args.accounts, after=entries, count=1000)
        out(
            summary(await timed("attestation, incremental, 1,000 new entries", service.attest(ctx)))
        )
    finally:
        await close_container(container)
        if not args.keep_db:
            admin = await asyncpg.connect(ADMIN_DSN)
            try:
                await admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
            finally:
                await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--keep-db", action="store_true")
    asyncio.run(main(parser.parse_args()))
