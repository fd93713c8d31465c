"""Domain events: `emit()` queues one for the outbox, written by the caller's transaction.

The rows are inserted together, with one statement, just before the commit (a transaction
hook of `Database`), so an event exists if and only if its transaction commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.context import correlation_id_var
from corebank.core.sql import Prepared, execute_many
from corebank.models.base import utcnow
from corebank.models.outbox import OutboxEvent

PENDING_KEY = "corebank.events.pending"


def emit(
    session: AsyncSession,
    event_type: str,
    payload: Mapping[str, Any],
    *,
    aggregate_type: str | None = None,
    aggregate_id: int | str | None = None,
    version: int = 1,
) -> str:
    """Queue a domain event (its `event_id` is returned); it exists iff the transaction commits."""
    now = utcnow()
    event_id = str(uuid.uuid4())
    session.info.setdefault(PENDING_KEY, []).append(
        {
            "event_id": event_id,
            "type": event_type,
            "version": version,
            "occurred_at": now,
            "aggregate_type": aggregate_type,
            "aggregate_id": None if aggregate_id is None else str(aggregate_id),
            "payload": orjson.loads(orjson.dumps(dict(payload), default=str)),
            "correlation_id": correlation_id_var.get(),
            "published_at": None,
            "attempts": 0,
            "next_attempt_at": now,
            "last_error": None,
            "broker_published_at": None,
            "broker_attempts": 0,
            "broker_next_attempt_at": now,
            "broker_last_error": None,
        }
    )
    return event_id


async def flush_pending(session: AsyncSession) -> None:
    """Insert the queued events (a transaction hook, run just before commit)."""
    rows = session.info.pop(PENDING_KEY, [])
    if rows:
        await execute_many(session, _INSERT, rows)


#: The columns `emit` fills (every one whose default would otherwise be Python's).
COLUMNS = (
    "event_id",
    "type",
    "version",
    "occurred_at",
    "aggregate_type",
    "aggregate_id",
    "payload",
    "correlation_id",
    "published_at",
    "attempts",
    "next_attempt_at",
    "last_error",
    "broker_published_at",
    "broker_attempts",
    "broker_next_attempt_at",
    "broker_last_error",
)
_INSERT = Prepared(insert(OutboxEvent), column_keys=COLUMNS)
