"""The bench's direct seeding: a small plan written to SQLite, telling its progress by table."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench import seed

from corebank.config import Settings
from corebank.core.db import Database
from corebank.core.migrate import upgrade
from corebank.ledger.verify import LedgerReport, verify_ledger
from tests.support import test_settings

SMALL = seed.SeedPlan(
    customers=20,
    postings=120,
    busy_accounts=4,
    busy_postings=3,
    staff_users=2,
    customer_users=5,
    login_users=3,
    hot_accounts=2,
)


async def migrated(settings: Settings) -> None:
    database = Database(settings)
    try:
        await upgrade(database.engine)
    finally:
        await database.dispose()


async def verified(settings: Settings) -> LedgerReport:
    database = Database(settings)
    try:
        return await verify_ledger(database)
    finally:
        await database.dispose()


def test_seeding_tells_each_tables_rows_and_the_ledger_verifies(tmp_path: Path) -> None:
    path = tmp_path / "bench.db"
    settings = test_settings(f"sqlite+aiosqlite:///{path}")
    asyncio.run(migrated(settings))
    rows, _ = seed.build(SMALL, settings=settings, secret_key="k" * 48)
    told: list[int] = []

    seed.write_sqlite(str(path), rows, progress=told.append)

    assert told == [len(getattr(rows, table)) for table in seed.TABLE_ORDER]
    assert told[seed.TABLE_ORDER.index("postings")] == len(rows.postings) > 0
    report = asyncio.run(verified(settings))
    assert report.ok, report.problems
    assert report.postings == len(rows.postings)
