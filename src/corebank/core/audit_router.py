"""GET /audit-events: the audit trail, filtered and paginated (admins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from corebank.core.api import API_PREFIX, MAX_ID
from corebank.core.deps import CursorCodecDep, DatabaseDep, PageDep
from corebank.core.pagination import Page, keyset_page
from corebank.identity.deps import AdminPrincipal
from corebank.models.audit import AuditEvent
from corebank.models.base import as_utc

router = APIRouter(prefix=f"{API_PREFIX}/audit-events", tags=["audit"])


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: datetime
    actor_id: int | None
    action: str
    target_type: str | None
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None
    user_agent: str | None
    correlation_id: str | None
    hash: str


@router.get(
    "",
    summary="Audit trail",
    response_model=Page[AuditEventOut],
    responses={
        401: {"description": "Not authenticated"},
        403: {"description": "Admins only"},
        422: {"description": "Validation failed"},
    },
)
async def list_audit_events(
    principal: AdminPrincipal,
    db: DatabaseDep,
    page: PageDep,
    codec: CursorCodecDep,
    actor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    occurred_from: datetime | None = None,
    occurred_to: datetime | None = None,
) -> Page[AuditEventOut]:
    """Audit events, newest first, filtered by actor, action, target and time range."""
    stmt = select(AuditEvent)
    filters = {
        AuditEvent.actor_id: actor_id,
        AuditEvent.action: action,
        AuditEvent.target_type: target_type,
        AuditEvent.target_id: target_id,
    }
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(column == value)
    if occurred_from is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= as_utc(occurred_from))
    if occurred_to is not None:
        stmt = stmt.where(AuditEvent.occurred_at <= as_utc(occurred_to))
    async with db.session() as session:
        rows, next_cursor = await keyset_page(
            session, stmt, id_column=AuditEvent.id, params=page, codec=codec, scope="audit"
        )
    return Page[AuditEventOut](
        items=[AuditEventOut.model_validate(r) for r in rows], next_cursor=next_cursor
    )
