"""Maker-checker: submit an operation for approval; approve, reject or expire it once.

A request leaves `pending` exactly once: every decision locks its row, checks it is still
pending, and moves it with an UPDATE conditional on `status = 'pending'`; the operation's
executor (registered by the domain that owns it) runs in that same transaction, so an approval
and the money it moves commit together or not at all. Four eyes: the checker is staff, never
the maker, not another login of the same person (`policy.person_of`), and not someone the
request acts for or pays (`repository.beneficiaries`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.approvals import repository
from corebank.approvals.context import ApprovalsContext, Executor
from corebank.approvals.errors import (
    ApprovalExpired,
    ApprovalNotFound,
    ApprovalNotPending,
    FourEyesViolation,
)
from corebank.approvals.policy import person_of
from corebank.approvals.schemas import ApprovalOut
from corebank.core import audit, metrics, outbox
from corebank.core.context import correlation_id_var
from corebank.core.money import format_amount
from corebank.core.pagination import CursorCodec, PageParams
from corebank.identity.principal import Principal
from corebank.models.approval import ApprovalOperation, ApprovalRequest, ApprovalStatus

log = structlog.get_logger(__name__)

ACCEPTED = 202
#: What an `approval.*` event carries besides `approval_id` (events/catalogue.py).
EVENT_FIELDS = (
    "status",
    "operation",
    "requested_by",
    "subject_type",
    "subject_id",
    "amount",
    "currency",
    "expires_at",
    "decided_by",
    "reason",
    "result",
)


def approval_out(row: ApprovalRequest) -> ApprovalOut:
    amount = None
    if row.amount_minor is not None and row.currency is not None:
        amount = format_amount(row.amount_minor, row.currency)
    return ApprovalOut(
        id=row.id,
        status=row.status,
        operation=row.operation,
        requested_by=row.requested_by,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        amount=amount,
        currency=row.currency,
        request=_shown(row.request),
        hold_ids=list(row.hold_ids),
        created_at=row.created_at,
        expires_at=row.expires_at,
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason=row.reason,
        result=dict(row.result) if row.result is not None else None,
    )


#: Request keys whose values are personal data: never shown, audited or sent in full.
SECRET_KEYS = frozenset({"national_id"})


def _shown(value: Any) -> Any:
    """A request as it may be shown: a secret value keeps only its last two characters."""
    if isinstance(value, dict):
        return {
            key: _hidden(item) if key in SECRET_KEYS and item else _shown(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_shown(item) for item in value]
    return value


def _hidden(value: Any) -> str:
    text = str(value)
    return "•" * max(len(text) - 2, 0) + text[-2:]


def expires_at(ctx: ApprovalsContext, now: datetime) -> datetime:
    """When a request made now expires (its holds expire with it)."""
    return now + ctx.policy.ttl


def _record(
    session: AsyncSession, action: str, row: ApprovalRequest, *, actor_id: int | None
) -> None:
    view = approval_out(row).model_dump(mode="json")
    audit.record(
        session, action, actor_id=actor_id, target_type="approval", target_id=row.id, after=view
    )
    payload = {key: view[key] for key in EVENT_FIELDS}
    outbox.emit(
        session,
        action,
        {"approval_id": row.id, **payload},
        aggregate_type="approval",
        aggregate_id=row.id,
    )
    metrics.APPROVALS.labels(str(row.operation), str(row.status)).inc()


async def submit(
    session: AsyncSession,
    ctx: ApprovalsContext,
    *,
    maker_id: int,
    operation: ApprovalOperation,
    subject: tuple[str, int],
    request: Mapping[str, Any],
    now: datetime,
    currency: str | None = None,
    amount_minor: int | None = None,
    hold_ids: list[int] | None = None,
) -> ApprovalOut:
    """Store a pending request (in the caller's transaction, after every check of the
    operation passed and its money was reserved): what the 202 tells the maker."""
    email = await repository.email_of(session, maker_id)
    assert email is not None, "an authenticated maker has a user row"
    row = await repository.add(
        session,
        operation=operation,
        status=ApprovalStatus.pending,
        requested_by=maker_id,
        maker_identity=person_of(email),
        subject_type=subject[0],
        subject_id=subject[1],
        currency=currency,
        amount_minor=amount_minor,
        request=dict(request),
        hold_ids=list(hold_ids or []),
        created_at=now,
        expires_at=expires_at(ctx, now),
        correlation_id=correlation_id_var.get(),
    )
    _record(session, "approval.requested", row, actor_id=maker_id)
    return approval_out(row)


async def get_approval(ctx: ApprovalsContext, *, actor: Principal, approval_id: int) -> ApprovalOut:
    """One request: staff see any, a maker their own (any other is 404)."""
    async with ctx.db.read() as session:
        row = await repository.read(session, approval_id)
    if row is None or not (actor.is_staff or row.requested_by == actor.user.id):
        raise ApprovalNotFound("No such approval request.")
    return approval_out(row)


async def list_approvals(
    ctx: ApprovalsContext,
    *,
    actor: Principal,
    params: PageParams,
    codec: CursorCodec,
    status: ApprovalStatus | None,
    operation: ApprovalOperation | None,
    requested_by: int | None,
) -> tuple[list[ApprovalOut], str | None]:
    """Newest first; a customer sees only their own requests."""
    if not actor.is_staff:
        requested_by = actor.user.id
    async with ctx.db.read() as session:
        rows, cursor = await repository.page(
            session,
            requested_by=requested_by,
            status=status,
            operation=operation,
            params=params,
            codec=codec,
        )
    return [approval_out(row) for row in rows], cursor


async def approve(
    ctx: ApprovalsContext, *, checker: Principal, approval_id: int, reason: str | None
) -> ApprovalOut:
    """Carry the operation out (once) and mark the request approved, in one transaction."""

    async def work(session: AsyncSession) -> ApprovalOut:
        row, now = await _decidable(session, ctx, checker=checker, approval_id=approval_id)
        result = await _executor(ctx, row).execute(session, row, checker=checker, now=now)
        return await _decide(
            session,
            row,
            ApprovalStatus.approved,
            by=checker.user.id,
            now=now,
            reason=reason,
            result=dict(result),
        )

    decided = await ctx.db.run(work)
    try:
        await ctx.executors[decided.operation].after_commit(decided.subject_id)
    except Exception:  # committed already: a failed cache drop must not turn it into a 500
        log.exception("approval.after_commit_failed", approval_id=decided.id)
    return decided


async def reject(
    ctx: ApprovalsContext, *, checker: Principal, approval_id: int, reason: str
) -> ApprovalOut:
    """Refuse the request (once): nothing is done and its holds are voided."""

    async def work(session: AsyncSession) -> ApprovalOut:
        row, now = await _decidable(session, ctx, checker=checker, approval_id=approval_id)
        await _executor(ctx, row).release(session, row, actor_id=checker.user.id, now=now)
        return await _decide(
            session, row, ApprovalStatus.rejected, by=checker.user.id, now=now, reason=reason
        )

    return await ctx.db.run(work)


async def expire_due(ctx: ApprovalsContext, *, now: datetime, batch: int = 100) -> int:
    """Expire every pending request past its expiry, voiding its holds; how many expired."""
    expired = 0
    while True:
        async with ctx.db.read() as session:
            due = await repository.due_ids(session, now=now, limit=batch)
        for approval_id in due:
            expired += await ctx.db.run(lambda s, i=approval_id: _expire(s, ctx, i, now))
        if len(due) < batch:
            return expired


async def _expire(
    session: AsyncSession, ctx: ApprovalsContext, approval_id: int, now: datetime
) -> int:
    row = await repository.lock(session, approval_id)
    if row is None or row.status != ApprovalStatus.pending:
        return 0  # decided meanwhile
    await _executor(ctx, row).release(session, row, actor_id=None, now=now)
    await _decide(session, row, ApprovalStatus.expired, by=None, now=now, reason="expired")
    return 1


async def _decidable(
    session: AsyncSession, ctx: ApprovalsContext, *, checker: Principal, approval_id: int
) -> tuple[ApprovalRequest, datetime]:
    """The request, locked, once it may be decided by `checker` now."""
    row = await repository.lock(session, approval_id)
    if row is None:
        raise ApprovalNotFound("No such approval request.")
    if row.status != ApprovalStatus.pending:
        raise ApprovalNotPending(f"The request is already {row.status}.")
    now = ctx.clock.now()
    if row.expires_at <= now:
        raise ApprovalExpired("The request expired; its holds are released.")
    email = await repository.email_of(session, checker.user.id)
    if row.requested_by == checker.user.id or person_of(email or "") == row.maker_identity:
        raise FourEyesViolation("A request is decided by someone other than its maker.")
    if checker.user.id in await repository.beneficiaries(session, row):
        raise FourEyesViolation(
            "A request is not decided by someone it acts for or pays (an account, a customer "
            "record or a loan of theirs)."
        )
    return row, now


def _executor(ctx: ApprovalsContext, row: ApprovalRequest) -> Executor:
    return ctx.executors[ApprovalOperation(row.operation)]


async def _decide(
    session: AsyncSession,
    row: ApprovalRequest,
    status: ApprovalStatus,
    *,
    by: int | None,
    now: datetime,
    reason: str | None,
    result: dict[str, Any] | None = None,
) -> ApprovalOut:
    decided = await repository.decide(
        session, row.id, status=status, decided_by=by, decided_at=now, reason=reason, result=result
    )
    if decided is None:  # the row lock makes this unreachable; the condition keeps one winner
        raise ApprovalNotPending("The request was decided meanwhile.")
    _record(session, f"approval.{status}", decided, actor_id=by)
    return approval_out(decided)
