"""Reading the audit trail."""

from __future__ import annotations

from corebank.audit import repository
from corebank.audit.context import AuditContext
from corebank.audit.repository import AuditFilters
from corebank.audit.schemas import AuditEventOut
from corebank.core.pagination import CursorCodec, Page, PageParams, keyset_page
from corebank.models.audit import AuditEvent


async def list_events(
    ctx: AuditContext, *, codec: CursorCodec, page: PageParams, filters: AuditFilters
) -> Page[AuditEventOut]:
    """One page of audit events matching `filters`, newest written first (sealed or not)."""
    async with ctx.db.session() as session:
        rows, next_cursor = await keyset_page(
            session,
            repository.listing(filters),
            id_column=AuditEvent.seq,
            params=page,
            codec=codec,
            scope="audit",
        )
    return Page[AuditEventOut](
        items=[AuditEventOut.model_validate(row) for row in rows], next_cursor=next_cursor
    )
