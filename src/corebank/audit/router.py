"""GET /audit-events: the audit trail, filtered and paginated (admins)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from corebank.audit import service
from corebank.audit.context import AuditContext
from corebank.audit.repository import AuditFilters
from corebank.audit.schemas import AuditEventOut
from corebank.core.api import API_PREFIX, MAX_ID
from corebank.core.deps import CursorCodecDep, PageDep
from corebank.core.pagination import Page
from corebank.core.timestamps import Timestamp
from corebank.identity.deps import AdminPrincipal

router = APIRouter(prefix=f"{API_PREFIX}/audit-events", tags=["audit"])


async def audit_context(request: Request) -> AuditContext:
    return request.app.state.container.audit


AuditDep = Annotated[AuditContext, Depends(audit_context)]


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
    ctx: AuditDep,
    page: PageDep,
    codec: CursorCodecDep,
    actor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    target_type: Annotated[str | None, Query(max_length=32)] = None,
    target_id: Annotated[str | None, Query(max_length=64)] = None,
    occurred_from: Timestamp | None = None,
    occurred_to: Timestamp | None = None,
) -> Page[AuditEventOut]:
    """Audit events, newest written first, filtered by actor, action, target and time range.

    A row is listed as soon as its transaction commits; its chain position (`id`) and `hash`
    follow when the audit chain seals it, a moment later (`sealed` says which).
    """
    filters = AuditFilters(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )
    return await service.list_events(ctx, codec=codec, page=page, filters=filters)
