"""Migration 0009 (multi-leg metadata on journal entries): it adds a nullable column, its
downgrade removes it, and the downgrade is refused once a multi-leg entry exists."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from corebank.core.migrate import upgrade
from tests.core import test_audit_migration as audit_migration

fresh_url = audit_migration.fresh_url  # an empty database of its own, on each backend


async def entry_columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        found = await connection.run_sync(lambda sync: inspect(sync).get_columns("journal_entries"))
    return {column["name"] for column in found}


async def test_0009_adds_metadata_and_guards_its_downgrade(fresh_url: str) -> None:
    engine = create_async_engine(fresh_url)
    try:
        await upgrade(engine)
        assert "metadata" in await entry_columns(engine)
        await audit_migration.downgrade(engine, "0008")
        assert "metadata" not in await entry_columns(engine)
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO journal_entries (type, currency, amount_minor, created_at) "
                    "VALUES ('multi_leg', 'USD', 100, CURRENT_TIMESTAMP)"
                )
            )
        with pytest.raises(RuntimeError, match="multi-leg entries exist"):
            await audit_migration.downgrade(engine, "0008")
        assert "metadata" in await entry_columns(engine)  # refused: nothing was dropped
    finally:
        await engine.dispose()
