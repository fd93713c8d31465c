"""Every query of the approval requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.pagination import CursorCodec, PageParams, keyset_page
from corebank.models.approval import ApprovalOperation, ApprovalRequest, ApprovalStatus
from corebank.models.user import User


async def add(session: AsyncSession, **values: Any) -> ApprovalRequest:
    row = await session.scalar(insert(ApprovalRequest).values(**values).returning(ApprovalRequest))
    assert row is not None
    return row


async def read(session: AsyncSession, request_id: int) -> ApprovalRequest | None:
    return await session.scalar(select(ApprovalRequest).where(ApprovalRequest.id == request_id))


async def lock(session: AsyncSession, request_id: int) -> ApprovalRequest | None:
    """The request, locked for this transaction (a decision on it waits for another's end)."""
    return await session.scalar(
        select(ApprovalRequest)
        .where(ApprovalRequest.id == request_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def decide(
    session: AsyncSession, request_id: int, *, status: ApprovalStatus, **values: Any
) -> ApprovalRequest | None:
    """Move a pending request to `status`; None if it was no longer pending (one winner)."""
    return await session.scalar(
        update(ApprovalRequest)
        .where(ApprovalRequest.id == request_id, ApprovalRequest.status == ApprovalStatus.pending)
        .values(status=status, **values)
        .returning(ApprovalRequest)
        .execution_options(populate_existing=True)
    )


async def email_of(session: AsyncSession, user_id: int) -> str | None:
    return await session.scalar(select(User.email).where(User.id == user_id))


async def page(
    session: AsyncSession,
    *,
    requested_by: int | None,
    status: ApprovalStatus | None,
    operation: ApprovalOperation | None,
    params: PageParams,
    codec: CursorCodec,
) -> tuple[list[ApprovalRequest], str | None]:
    """One page of requests, newest first, filtered by each argument that is not None."""
    stmt = select(ApprovalRequest)
    if requested_by is not None:
        stmt = stmt.where(ApprovalRequest.requested_by == requested_by)
    if status is not None:
        stmt = stmt.where(ApprovalRequest.status == status)
    if operation is not None:
        stmt = stmt.where(ApprovalRequest.operation == operation)
    scope = f"approvals:{requested_by}:{status}:{operation}"
    return await keyset_page(
        session, stmt, id_column=ApprovalRequest.id, params=params, codec=codec, scope=scope
    )


async def due_ids(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Pending requests past their expiry, oldest first."""
    rows = await session.scalars(
        select(ApprovalRequest.id)
        .where(ApprovalRequest.status == ApprovalStatus.pending, ApprovalRequest.expires_at <= now)
        .order_by(ApprovalRequest.id)
        .limit(limit)
    )
    return list(rows)
