"""Money movements that wait for a second person (maker-checker, docs/approvals.md).

When a transfer, withdrawal or multi-leg transaction is above its currency's approval
threshold, every check of the request runs as usual (locks, funds, SCA); then, instead of
posting, the money each debited account would lose is reserved by a hold and the request is
stored pending, answered 202. The available balance drops at once, so the funds are still there
when a checker approves: approving captures the holds and posts the movement in one
transaction, exactly once; rejecting or expiring voids them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.approvals import service as approvals
from corebank.approvals.context import ReservesNothing
from corebank.core.money import parse_amount
from corebank.identity.principal import Principal
from corebank.ledger import repository
from corebank.ledger.context import LedgerContext
from corebank.ledger.errors import HoldNotOpen
from corebank.ledger.holds import record_hold
from corebank.ledger.idempotency import ACCEPTED, Answer
from corebank.ledger.posting import Leg, leg_postings, post, require_open
from corebank.models.approval import ApprovalOperation, ApprovalRequest
from corebank.models.ledger import EntryType, Hold, HoldStatus


def needs_approval(
    ctx: LedgerContext, operation: ApprovalOperation, *, currency: str, amount_minor: int
) -> bool:
    return ctx.approvals.policy.needs(operation, currency=currency, amount_minor=amount_minor)


async def wait_for_approval(
    session: AsyncSession,
    ctx: LedgerContext,
    *,
    actor: Principal,
    operation: ApprovalOperation,
    account_id: int,
    currency: str,
    amount_minor: int,
    debits: Mapping[int, int],
    request: Mapping[str, Any],
    now: datetime,
) -> Answer:
    """Hold each debited account's amount until the request's expiry and store the request
    pending (the caller has locked the accounts and checked the funds): the 202 answer."""
    expires_at = approvals.expires_at(ctx.approvals, now)
    hold_ids = []
    for debited, minor in sorted(debits.items()):
        await repository.apply_deltas(session, {debited: (0, minor)}, now=now)
        hold = await repository.insert_hold(
            session,
            account_id=debited,
            amount=minor,
            description=f"Reserved while a {operation} awaits approval",
            expires_at=expires_at,
            created_by=actor.user.id,
            now=now,
        )
        record_hold(session, "hold.created", actor.user.id, hold)
        hold_ids.append(hold.id)
    pending = await approvals.submit(
        session,
        ctx.approvals,
        maker_id=actor.user.id,
        operation=operation,
        subject=("account", account_id),
        request=request,
        now=now,
        currency=currency,
        amount_minor=amount_minor,
        hold_ids=hold_ids,
    )
    await repository.reserve_holds_for(session, hold_ids, approval_request_id=pending.id)
    return Answer(ACCEPTED, pending.model_dump(mode="json"))


async def _open_holds(
    session: AsyncSession, request: ApprovalRequest, *, now: datetime
) -> list[Hold]:
    """The request's holds, each still open (their accounts are locked by the caller)."""
    holds = []
    for hold_id in request.hold_ids:
        hold = await repository.reread_hold(session, hold_id)
        if hold is None or hold.status != HoldStatus.open:
            raise HoldNotOpen(
                f"Hold {hold_id} reserving this request is no longer open "
                f"({hold.status if hold else 'missing'}); reject the request."
            )
        holds.append(hold)
    return holds


async def _capture(
    session: AsyncSession,
    request: ApprovalRequest,
    *,
    checker: Principal,
    type: EntryType,
    legs: Sequence[tuple[int, int]],
    account_ids: Sequence[int],
    now: datetime,
    multi_legs: Sequence[Leg] = (),
    metadata: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Post the approved movement, releasing its holds in the same balance update, and mark
    the holds captured by it."""
    accounts = await repository.lock_accounts(session, account_ids)
    for account_id in {a for a, minor in legs if minor < 0 and a in accounts}:
        require_open(accounts[account_id], money_out=True)
    for account_id in {a for a, minor in legs if minor > 0 and a in accounts}:
        require_open(accounts[account_id], money_out=False)
    holds = await _open_holds(session, request, now=now)
    held: dict[int, int] = {}
    for hold in holds:
        held[hold.account_id] = held.get(hold.account_id, 0) - hold.amount_minor
    assert request.currency is not None and request.amount_minor is not None
    posted = await post(
        session,
        actor=checker,
        type=type,
        currency=request.currency,
        amount=request.amount_minor,
        legs=legs,
        held=held,
        accounts=accounts,
        description=request.request.get("description"),
        now=now,
        multi_legs=multi_legs,
        metadata=metadata,
    )
    for hold in holds:
        captured = await repository.resolve_open_hold(
            session,
            hold.id,
            status=HoldStatus.captured,
            now=now,
            captured_minor=hold.amount_minor,
            entry_id=posted.id,
        )
        assert captured is not None, "the hold was open under its account's lock"
        record_hold(session, "hold.captured", checker.user.id, captured)
    return {"transaction_id": posted.id}


class _ReleasesHolds(ReservesNothing):
    """Rejection and expiry of a money movement: void each of its holds still open (a posting
    changes no cached record: `after_commit` does nothing)."""

    async def release(
        self,
        session: AsyncSession,
        request: ApprovalRequest,
        *,
        actor_id: int | None,
        now: datetime,
    ) -> None:
        account_ids = []
        for hold_id in request.hold_ids:
            account_id = await repository.hold_account_id(session, hold_id)
            if account_id is not None:
                account_ids.append(account_id)
        if not account_ids:
            return  # a set in which no account loses money net holds nothing
        await repository.lock_accounts(session, account_ids)
        for hold_id in request.hold_ids:
            hold = await repository.reread_hold(session, hold_id)
            if hold is None or hold.status != HoldStatus.open:
                continue  # expired or voided already: its funds are back
            await repository.apply_deltas(
                session, {hold.account_id: (0, -hold.amount_minor)}, now=now
            )
            voided = await repository.resolve_open_hold(
                session, hold.id, status=HoldStatus.voided, now=now
            )
            assert voided is not None, "the hold was open under its account's lock"
            record_hold(session, "hold.voided", actor_id, voided)


@dataclass(frozen=True)
class TransferExecutor(_ReleasesHolds):
    async def execute(
        self, session: AsyncSession, request: ApprovalRequest, *, checker: Principal, now: datetime
    ) -> dict[str, Any]:
        source, destination = request.request["from_account_id"], request.request["to_account_id"]
        minor = request.amount_minor or 0
        return await _capture(
            session,
            request,
            checker=checker,
            type=EntryType.transfer,
            legs=[(source, -minor), (destination, minor)],
            account_ids=[source, destination],
            now=now,
        )


@dataclass(frozen=True)
class WithdrawalExecutor(_ReleasesHolds):
    async def execute(
        self, session: AsyncSession, request: ApprovalRequest, *, checker: Principal, now: datetime
    ) -> dict[str, Any]:
        account_id, minor = request.request["account_id"], request.amount_minor or 0
        assert request.currency is not None
        settlement = await repository.settlement_account_id(session, request.currency, now=now)
        return await _capture(
            session,
            request,
            checker=checker,
            type=EntryType.withdrawal,
            legs=[(account_id, -minor), (settlement, minor)],
            account_ids=[account_id],
            now=now,
        )


@dataclass(frozen=True)
class MultiLegExecutor(_ReleasesHolds):
    async def execute(
        self, session: AsyncSession, request: ApprovalRequest, *, checker: Principal, now: datetime
    ) -> dict[str, Any]:
        legs = [
            Leg(
                leg["from_account_id"],
                leg["to_account_id"],
                parse_amount(leg["amount"], leg["currency"]),
            )
            for leg in request.request["legs"]
        ]
        postings = leg_postings(legs)
        return await _capture(
            session,
            request,
            checker=checker,
            type=EntryType.multi_leg,
            legs=postings,
            account_ids=sorted({a for a, _ in postings}),
            now=now,
            multi_legs=legs,
            metadata=request.request.get("metadata") or {},
        )


def executors() -> dict[ApprovalOperation, Any]:
    """What the container registers with the approvals for the ledger's operations."""
    return {
        ApprovalOperation.transfer: TransferExecutor(),
        ApprovalOperation.withdrawal: WithdrawalExecutor(),
        ApprovalOperation.multi_leg: MultiLegExecutor(),
    }
