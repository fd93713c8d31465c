"""Migration 0011 (a strong-authentication challenge can cover a set of payments): it adds two
nullable columns to sca_challenges, its downgrade removes them, and upgrading again works."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from corebank.core.migrate import upgrade
from tests.core import test_audit_migration as audit_migration

fresh_url = audit_migration.fresh_url  # an empty database of its own, on each backend
SET_COLUMNS = {"legs_digest", "legs_summary"}


async def challenge_columns(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        found = await connection.run_sync(lambda sync: inspect(sync).get_columns("sca_challenges"))
    return {column["name"] for column in found}


async def test_0011_adds_the_set_columns_up_down_up(fresh_url: str) -> None:
    engine = create_async_engine(fresh_url)
    try:
        await upgrade(engine)
        assert await challenge_columns(engine) >= SET_COLUMNS
        await audit_migration.downgrade(engine, "0010")
        columns = await challenge_columns(engine)
        assert not SET_COLUMNS & columns and {"purpose", "code_hash"} <= columns
        await upgrade(engine)
        assert await challenge_columns(engine) >= SET_COLUMNS
    finally:
        await engine.dispose()
