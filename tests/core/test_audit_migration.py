"""Migration 0008 (audit rows sealed after commit) keeps the chains written before it valid,
and its downgrade brings back 0007's schema once every row is sealed."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import orjson
import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from corebank.core import audit
from corebank.core.audit_sealer import seal
from corebank.core.db import Database
from corebank.core.migrate import alembic_config, upgrade
from tests.support import PG_ADMIN_DSN, test_settings, unavailable, worker_suffix

BEFORE = "0007"


@pytest.fixture
async def fresh_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """An empty database of its own (the suite's shared one stays at head)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migration.db'}"
        return
    name = f"corebank_mig_{worker_suffix()}_{os.getpid()}"
    try:
        admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError):
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_DSN}")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    def _downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)

    async with engine.connect() as connection:
        await connection.run_sync(_downgrade)
        await connection.commit()


async def write_sealed_rows_as_0007_did(engine: AsyncEngine, count: int) -> None:
    """Rows given their position and hash at insert, after the head's, which moves: as 0007."""
    occurred_at = datetime(2026, 12, 1, 1, 2, 3, 456789, tzinfo=UTC)
    stored_at = occurred_at.replace(tzinfo=None) if engine.dialect.name == "sqlite" else occurred_at
    async with engine.begin() as connection:
        head = await connection.execute(
            text("SELECT last_id, last_hash FROM audit_chain_head WHERE id = 1")
        )
        last_id, prev = head.one()
        for position in range(last_id + 1, last_id + count + 1):
            values = {"occurred_at": occurred_at, "action": "old.row", "after": {"n": position}}
            digest = audit.row_hash(position, prev, values)
            await connection.execute(
                text(
                    "INSERT INTO audit_events (id, occurred_at, action, after, prev_hash, hash) "
                    "VALUES (:id, :at, 'old.row', :after, :prev, :hash)"
                ),
                {
                    "id": position,
                    "at": stored_at,
                    "after": orjson.dumps(values["after"]).decode(),
                    "prev": prev,
                    "hash": digest,
                },
            )
            prev = digest
        await connection.execute(
            text("UPDATE audit_chain_head SET last_id = :id, last_hash = :hash WHERE id = 1"),
            {"id": last_id + count, "hash": prev},
        )


async def report_of(db: Database) -> audit.VerifyReport:
    async with db.session() as session:
        return await audit.verify_chain(session)


async def record(db: Database, count: int) -> None:
    for n in range(count):
        async with db.transaction() as session:
            audit.record(session, "new.row", actor_id=n)


async def test_sealed_rows_stay_valid_and_the_chain_goes_on(fresh_url: str) -> None:
    engine = create_async_engine(fresh_url)
    db = Database(test_settings(fresh_url))
    try:
        await upgrade(engine, BEFORE)
        await write_sealed_rows_as_0007_did(engine, 3)
        await upgrade(engine)
        report = await report_of(db)
        assert (report.ok, report.checked, report.pending) == (True, 3, 0), report.problems
        await record(db, 2)
        assert await seal(db) == 2
        report = await report_of(db)
        assert (report.ok, report.checked, report.pending) == (True, 5, 0), report.problems
        async with db.session() as session:
            rows = (await session.execute(text("SELECT seq, id FROM audit_events"))).all()
        assert sorted(rows) == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5)]
    finally:
        await db.dispose()
        await engine.dispose()


async def test_downgrade_waits_for_every_row_to_be_sealed(fresh_url: str) -> None:
    engine = create_async_engine(fresh_url)
    db = Database(test_settings(fresh_url))
    try:
        await upgrade(engine)
        await record(db, 2)
        with pytest.raises(RuntimeError, match="2 audit rows are not sealed yet"):
            await downgrade(engine, BEFORE)
        await seal(db)
        await downgrade(engine, BEFORE)
        await write_sealed_rows_as_0007_did(engine, 1)  # 0007's schema, 0007's way of writing
        await upgrade(engine)
        report = await report_of(db)
        assert (report.ok, report.checked, report.pending) == (True, 3, 0), report.problems
        await record(db, 1)
        async with db.session() as session:
            seqs = (await session.scalars(text("SELECT seq FROM audit_events"))).all()
        assert sorted(seqs) == [1, 2, 3, 4]
    finally:
        await db.dispose()
        await engine.dispose()
