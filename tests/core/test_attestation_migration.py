"""Migration 0010 (attestations and the ledger checkpoint): up, down, up on both backends; the
downgrade is refused once an attestation is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from corebank.core.migrate import upgrade
from tests.core import test_audit_migration as audit_migration

fresh_url = audit_migration.fresh_url  # an empty database of its own, on each backend
TABLES = {"attestations", "ledger_checkpoint", "ledger_checkpoint_accounts"}


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_0010_up_down_up_and_a_guarded_downgrade(fresh_url: str) -> None:
    engine = create_async_engine(fresh_url)
    try:
        await upgrade(engine)
        assert await tables(engine) >= TABLES
        await audit_migration.downgrade(engine, "0009")
        assert not TABLES & await tables(engine)
        await upgrade(engine)
        assert await tables(engine) >= TABLES
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO attestations (issued_at, document, hash) "
                    "VALUES (CURRENT_TIMESTAMP, '{}', :h)"
                ),
                {"h": "a" * 64},
            )
        with pytest.raises(RuntimeError, match="1 attestations are stored"):
            await audit_migration.downgrade(engine, "0009")
        assert await tables(engine) >= TABLES  # refused: nothing was dropped
    finally:
        await engine.dispose()
