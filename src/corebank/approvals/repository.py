"""Every query of the approval requests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.pagination import CursorCodec, PageParams, keyset_page
from corebank.models.account import Account
from corebank.models.approval import ApprovalOperation, ApprovalRequest, ApprovalStatus
from corebank.models.customer import Customer
from corebank.models.loan import Loan
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


def _account_ids(request: ApprovalRequest) -> set[int]:
    """The accounts a request acts on or pays: its subject account and every payee."""
    terms = request.request
    ids = {request.subject_id} if request.subject_type == "account" else set()
    if isinstance(terms.get("to_account_id"), int):
        ids.add(terms["to_account_id"])
    for leg in terms.get("legs") or []:
        if isinstance(leg, dict) and isinstance(leg.get("to_account_id"), int):
            ids.add(leg["to_account_id"])
    return ids


async def beneficiaries(session: AsyncSession, request: ApprovalRequest) -> set[int]:
    """The users a request acts for or pays: the owners of its accounts and payees, of its
    customer record, of its loan's customer record."""
    customer_ids: set[int] = set()
    if request.subject_type == "customer":
        customer_ids.add(request.subject_id)
    if request.subject_type == "loan":
        owner = await session.scalar(select(Loan.customer_id).where(Loan.id == request.subject_id))
        customer_ids |= {owner} if owner is not None else set()
    accounts = _account_ids(request)
    if accounts:
        rows = await session.scalars(
            select(Account.customer_id).where(
                Account.id.in_(accounts), Account.customer_id.is_not(None)
            )
        )
        customer_ids |= {row for row in rows if row is not None}
    if not customer_ids:
        return set()
    users = await session.scalars(
        select(Customer.user_id).where(Customer.id.in_(customer_ids), Customer.user_id.is_not(None))
    )
    return {user for user in users if user is not None}


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
