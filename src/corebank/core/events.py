"""Domain events: `emit()` adds one to the outbox inside the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.context import correlation_id_var
from corebank.models.base import utcnow
from corebank.models.outbox import OutboxEvent


def emit(
    session: AsyncSession,
    event_type: str,
    payload: Mapping[str, Any],
    *,
    aggregate_type: str | None = None,
    aggregate_id: int | str | None = None,
    version: int = 1,
) -> OutboxEvent:
    """Queue a domain event; it exists if and only if the surrounding transaction commits."""
    now = utcnow()
    event = OutboxEvent(
        event_id=str(uuid.uuid4()),
        type=event_type,
        version=version,
        occurred_at=now,
        aggregate_type=aggregate_type,
        aggregate_id=None if aggregate_id is None else str(aggregate_id),
        payload=orjson.loads(orjson.dumps(dict(payload), default=str)),
        correlation_id=correlation_id_var.get(),
        attempts=0,
        next_attempt_at=now,
    )
    session.add(event)
    return event
