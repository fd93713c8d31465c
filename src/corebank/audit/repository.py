"""The audit trail's queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from corebank.models.audit import AuditEvent
from corebank.models.base import as_utc


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None


def listing(filters: AuditFilters) -> Select[tuple[AuditEvent]]:
    """Audit events matching every filter that is set, sealed or pending (paging orders them
    by `seq`, newest first)."""
    stmt = select(AuditEvent)
    equal: dict[Any, object] = {
        AuditEvent.actor_id: filters.actor_id,
        AuditEvent.action: filters.action,
        AuditEvent.target_type: filters.target_type,
        AuditEvent.target_id: filters.target_id,
    }
    for column, value in equal.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if filters.occurred_from is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= as_utc(filters.occurred_from))
    if filters.occurred_to is not None:
        stmt = stmt.where(AuditEvent.occurred_at <= as_utc(filters.occurred_to))
    return stmt
