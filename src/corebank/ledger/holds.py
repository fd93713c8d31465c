"""Holds (two-phase): reserve funds, then capture (in part) or void them, or let them expire.

A hold changes only while its account is locked, and each change is a conditional UPDATE on
`status = 'open'`, so a capture, a void and an expiry of one hold have exactly one winner.
Pending amounts count against the available balance from the moment the hold is created.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts import expiry
from corebank.core import audit, metrics, outbox
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.metrics import ScrapeHook
from corebank.core.money import format_amount
from corebank.core.pagination import CursorCodec, PageParams
from corebank.identity.principal import Principal
from corebank.ledger import idempotency, repository
from corebank.ledger.context import LedgerContext
from corebank.ledger.errors import (
    ApprovalRequired,
    CaptureExceedsHold,
    HoldNotFound,
    HoldNotOpen,
    HoldReserved,
)
from corebank.ledger.idempotency import IdempotencyRequest, Outcome
from corebank.ledger.posting import (
    parse,
    post,
    releasable_held,
    require_funds,
    require_open,
    require_visible,
)
from corebank.ledger.schemas import HoldCaptureOut, HoldOut
from corebank.models.approval import ApprovalOperation
from corebank.models.ledger import EntryType, Hold, HoldStatus

DEFAULT_HOLD_LIFETIME = timedelta(days=7)


def hold_out(hold: Hold, currency: str) -> HoldOut:
    return HoldOut(
        id=hold.id,
        account_id=hold.account_id,
        amount=format_amount(hold.amount_minor, currency),
        captured_amount=format_amount(hold.captured_minor, currency),
        currency=currency,
        status=hold.status,
        description=hold.description,
        expires_at=hold.expires_at,
        transaction_id=hold.entry_id,
        created_at=hold.created_at,
        resolved_at=hold.resolved_at,
    )


def record_hold(session: AsyncSession, action: str, actor_id: int | None, hold: Hold) -> None:
    """Queue the hold's audit row and event (`actor_id` None: the system, e.g. an expiry)."""
    payload = {
        "hold_id": hold.id,
        "account_id": hold.account_id,
        "amount_minor": hold.amount_minor,
        "captured_minor": hold.captured_minor,
        "status": str(hold.status),
    }
    audit.record(
        session,
        action,
        actor_id=actor_id,
        target_type="hold",
        target_id=hold.id,
        after=payload,
    )
    outbox.emit(session, action, payload, aggregate_type="hold", aggregate_id=hold.id)


async def create_hold(
    ctx: LedgerContext,
    *,
    actor: Principal,
    account_id: int,
    amount: str,
    description: str | None,
    expires_in_seconds: int | None,
    idempotency_request: IdempotencyRequest | None = None,
) -> Outcome:
    """Reserve funds on an active account (they leave the available balance at once)."""

    async def work(session: AsyncSession) -> dict[str, Any]:
        accounts = await repository.lock_accounts(session, [account_id])
        account = require_visible(actor, accounts, account_id)
        require_open(account, money_out=True)
        minor = parse(amount, account.currency)
        now = ctx.clock.now()
        held = await releasable_held(session, account, now=now)
        require_funds(account, held=held, amount=minor)
        await repository.apply_deltas(session, {account.id: (0, minor)}, now=now)
        lifetime = (
            timedelta(seconds=expires_in_seconds) if expires_in_seconds else DEFAULT_HOLD_LIFETIME
        )
        hold = await repository.insert_hold(
            session,
            account_id=account.id,
            amount=minor,
            description=description,
            expires_at=now + lifetime,
            created_by=actor.user.id,
            now=now,
        )
        record_hold(session, "hold.created", actor.user.id, hold)
        return hold_out(hold, account.currency).model_dump(mode="json")

    return await idempotency.execute(
        ctx, request=idempotency_request, work=work, status=201, kind="hold"
    )


async def _locked_open_hold(
    session: AsyncSession, *, actor: Principal, hold_id: int, clock: Clock
) -> tuple[Hold, repository.LockedAccount, dict[int, repository.LockedAccount], datetime]:
    """Lock the hold's account, then read the hold; 409 unless it is still open."""
    account_id = await repository.hold_account_id(session, hold_id)
    if account_id is None:
        raise HoldNotFound("No such hold.")
    accounts = await repository.lock_accounts(session, [account_id])
    account = require_visible(actor, accounts, account_id)
    now = clock.now()
    hold = await repository.reread_hold(session, hold_id)
    assert hold is not None
    if hold.status == HoldStatus.open and hold.expires_at is not None and hold.expires_at <= now:
        raise HoldNotOpen("The hold has expired; its funds were released.")
    if hold.status != HoldStatus.open:
        raise HoldNotOpen(f"The hold is already {hold.status}.")
    if hold.approval_request_id is not None:
        raise HoldReserved(
            f"The hold reserves the money of approval request {hold.approval_request_id}: "
            "only that request's decision (approve, reject, expiry) ends it."
        )
    return hold, account, accounts, now


async def _resolve(
    session: AsyncSession, hold: Hold, *, status: HoldStatus, now: datetime, **values: Any
) -> Hold:
    row = await repository.resolve_open_hold(session, hold.id, status=status, now=now, **values)
    if row is None:
        raise HoldNotOpen("The hold was resolved meanwhile.")
    return row


async def capture_hold(
    ctx: LedgerContext,
    *,
    actor: Principal,
    hold_id: int,
    amount: str | None,
    idempotency_request: IdempotencyRequest | None = None,
) -> Outcome:
    """Capture all or part of an open hold (once); the remainder is released."""

    async def work(session: AsyncSession) -> dict[str, Any]:
        hold, account, accounts, now = await _locked_open_hold(
            session, actor=actor, hold_id=hold_id, clock=ctx.clock
        )
        require_open(account, money_out=True)
        minor = hold.amount_minor if amount is None else parse(amount, account.currency)
        _refuse_unapproved_money_out(ctx, account.currency, minor)
        if minor > hold.amount_minor:
            raise CaptureExceedsHold(
                f"At most {format_amount(hold.amount_minor, account.currency)} can be captured."
            )
        settlement = await repository.settlement_account_id(session, account.currency, now=now)
        posted = await post(
            session,
            actor=actor,
            type=EntryType.hold_capture,
            currency=account.currency,
            amount=minor,
            legs=[(account.id, -minor), (settlement, minor)],
            held={account.id: -hold.amount_minor},
            accounts=accounts,
            description=hold.description,
            now=now,
        )
        hold = await _resolve(
            session,
            hold,
            status=HoldStatus.captured,
            now=now,
            captured_minor=minor,
            entry_id=posted.id,
        )
        record_hold(session, "hold.captured", actor.user.id, hold)
        return HoldCaptureOut(hold=hold_out(hold, account.currency), transaction=posted).model_dump(
            mode="json"
        )

    return await idempotency.execute(
        ctx, request=idempotency_request, work=work, status=201, kind="hold_capture"
    )


def _refuse_unapproved_money_out(ctx: LedgerContext, currency: str, minor: int) -> None:
    """A capture moves money out like a withdrawal: above the withdrawal's approval threshold
    it would skip the second person, so it is refused (make it a withdrawal instead)."""
    if ctx.approvals.policy.needs(
        ApprovalOperation.withdrawal, currency=currency, amount_minor=minor
    ):
        raise ApprovalRequired(
            f"A capture above the approval threshold ({currency}) would move money out without "
            "a second person: withdraw it instead, and the withdrawal waits for approval."
        )


async def void_hold(
    ctx: LedgerContext,
    *,
    actor: Principal,
    hold_id: int,
    idempotency_request: IdempotencyRequest | None = None,
) -> Outcome:
    """Void an open hold (once): its whole amount returns to the available balance."""

    async def work(session: AsyncSession) -> dict[str, Any]:
        hold, account, _, now = await _locked_open_hold(
            session, actor=actor, hold_id=hold_id, clock=ctx.clock
        )
        await repository.apply_deltas(session, {account.id: (0, -hold.amount_minor)}, now=now)
        hold = await _resolve(session, hold, status=HoldStatus.voided, now=now)
        record_hold(session, "hold.voided", actor.user.id, hold)
        return hold_out(hold, account.currency).model_dump(mode="json")

    return await idempotency.execute(
        ctx, request=idempotency_request, work=work, status=200, kind="hold_void"
    )


async def list_holds(
    ctx: LedgerContext,
    *,
    actor: Principal,
    account_id: int,
    params: PageParams,
    codec: CursorCodec,
    status: HoldStatus | None,
) -> tuple[list[HoldOut], str | None]:
    """An account's holds, newest first; due holds are expired before they are shown."""
    async with ctx.db.read() as session:
        accounts = await repository.lock_accounts(session, [account_id], for_update=False)
        account = require_visible(actor, accounts, account_id)
    now = ctx.clock.now()
    if account.held:
        async with ctx.db.read() as session:
            due = await expiry.has_due_holds(session, account_id=account_id, now=now)
        if due:
            await expiry.expire_account_holds(ctx.db, account_id=account_id, now=now)
    async with ctx.db.read() as session:
        rows, cursor = await repository.page_of_holds(
            session, account_id=account_id, status=status, params=params, codec=codec
        )
    return [hold_out(h, account.currency) for h in rows], cursor


def open_holds_gauge(db: Database) -> ScrapeHook:
    """At each scrape: how many holds are open."""

    async def refresh() -> None:
        async with db.session() as session:
            count = await repository.open_hold_count(session)
        metrics.LEDGER_OPEN_HOLDS.set(count)

    return refresh
