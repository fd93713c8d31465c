"""Domain events written in the same transaction as the change they describe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, IdMixin, utcnow


class OutboxEvent(IdMixin, Base):
    """An event waiting for (or done with) delivery; `id` gives the delivery order."""

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_pending", "published_at", "next_attempt_at", "id"),
        Index(
            "ix_outbox_events_broker_pending",
            "broker_published_at",
            "broker_next_attempt_at",
            "id",
        ),
        Index("ix_outbox_events_aggregate", "aggregate_type", "aggregate_id", "id"),
    )

    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    aggregate_type: Mapped[str | None] = mapped_column(String(32))
    aggregate_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    published_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    #: The event stream (docs/events.md): set once the broker confirmed the message.
    broker_published_at: Mapped[datetime | None]
    broker_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: When to publish (again); None: not for the stream (rows older than the stream).
    broker_next_attempt_at: Mapped[datetime | None]
    broker_last_error: Mapped[str | None] = mapped_column(Text)
