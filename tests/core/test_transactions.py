"""A change is committed before the client hears it happened."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core import outbox
from corebank.core.db import Database
from corebank.core.deps import DatabaseDep
from corebank.models import OutboxEvent


def add_writer_route(app: FastAPI) -> None:
    @app.post("/probe/write", status_code=201)
    async def write(db: DatabaseDep) -> dict[str, bool]:
        async with db.transaction() as session:
            outbox.emit(session, "probe.written", {"ok": True})
        return {"written": True}


async def count_events(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(OutboxEvent)) or 0


async def test_success_is_reported_after_the_commit(
    app: FastAPI, client: httpx.AsyncClient, db: Database
) -> None:
    add_writer_route(app)
    response = await client.post("/probe/write")
    assert response.status_code == 201
    assert await count_events(db) == 1


async def test_commit_failure_is_an_error_not_a_2xx(
    app: FastAPI, client: httpx.AsyncClient, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_writer_route(app)

    async def failing_commit(self: object) -> None:
        raise ConnectionResetError("connection lost during COMMIT")

    monkeypatch.setattr("sqlalchemy.ext.asyncio.AsyncSession.commit", failing_commit)
    response = await client.post("/probe/write")
    assert response.status_code == 503
    assert response.json()["type"].endswith("/database-unavailable")
    monkeypatch.undo()
    assert await count_events(db) == 0


async def test_event_rolled_back_with_its_change(db: Database) -> None:
    with pytest.raises(ValueError, match="refused"):
        async with db.transaction() as session:
            outbox.emit(session, "probe.written", {"ok": False})
            raise ValueError("refused")
    assert await count_events(db) == 0


async def test_emit_records_correlation_and_payload(db: Database) -> None:
    async with db.transaction() as session:
        event_id = outbox.emit(
            session, "thing.done", {"id": 5}, aggregate_type="thing", aggregate_id=5
        )
    async with db.session() as session:
        stored = await session.scalar(select(OutboxEvent).where(OutboxEvent.event_id == event_id))
        assert isinstance(session, AsyncSession)
    assert stored is not None
    assert stored.payload == {"id": 5}
    assert stored.published_at is None
    assert len(stored.event_id) == 36
