"""Migration 0012 (approval requests): it creates the table, its downgrade drops it, and the
downgrade is refused while a request is pending (its holds would outlive it)."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from corebank.core.migrate import alembic_config, upgrade
from tests.core import test_audit_migration as audit_migration

fresh_url = audit_migration.fresh_url  # an empty database of its own, on each backend


def revision_before_0012() -> str:
    before = ScriptDirectory.from_config(alembic_config()).get_revision("0012").down_revision
    assert isinstance(before, str)
    return before


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_0012_creates_approval_requests_and_guards_its_downgrade(fresh_url: str) -> None:
    engine = create_async_engine(fresh_url)
    try:
        await upgrade(engine)
        assert "approval_requests" in await tables(engine)
        await audit_migration.downgrade(engine, revision_before_0012())
        assert "approval_requests" not in await tables(engine)
        await upgrade(engine)
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO users (email, full_name, password_hash, role, is_active, "
                    "pin_failed_count, created_at, updated_at) VALUES ('m@example.com', 'M', "
                    "'x', 'staff', true, 0, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                )
            )
            await connection.execute(
                text(
                    "INSERT INTO approval_requests (operation, status, requested_by, "
                    "maker_identity, subject_type, subject_id, request, hold_ids, created_at, "
                    "expires_at) SELECT 'account_closure', 'pending', id, 'm@example.com', "
                    "'account', 1, '{}', '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM users"
                )
            )
        with pytest.raises(RuntimeError, match="approval requests are pending"):
            await audit_migration.downgrade(engine, revision_before_0012())
        assert "approval_requests" in await tables(engine)  # refused: nothing was dropped
    finally:
        await engine.dispose()
