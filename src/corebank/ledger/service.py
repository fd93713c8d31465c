"""Deposits, withdrawals and transfers: each one journal entry, posted under account locks.

Deposits and withdrawals post against the settlement account of the currency, so every
currency's postings sum to zero. Locks: the customer accounts involved, in id order, with one
SELECT ... FOR UPDATE (PostgreSQL); SQLite serializes writers with BEGIN IMMEDIATE. The
settlement account is locked last, by the balance UPDATE itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts import service as accounts
from corebank.accounts.errors import AccountNotFound, CannotReceive
from corebank.identity.pin import verify_transaction_pin
from corebank.identity.principal import Principal
from corebank.ledger import idempotency, repository
from corebank.ledger.approval import needs_approval, wait_for_approval
from corebank.ledger.context import LedgerContext
from corebank.ledger.errors import CurrencyMismatch, SameAccount
from corebank.ledger.idempotency import Answer, IdempotencyRequest, Outcome
from corebank.ledger.posting import (
    parse,
    post,
    releasable_held,
    require_customer_account,
    require_funds,
    require_open,
    require_visible,
)
from corebank.ledger.repository import LockedAccount
from corebank.models.account import AccountKind, AccountStatus
from corebank.models.approval import ApprovalOperation
from corebank.models.ledger import EntryType
from corebank.sca import service as sca

CREATED = 201


@dataclass(frozen=True)
class PinCheck:
    """What a money-out request sent as its transaction PIN (None: no header). A call given no
    PinCheck at all (an internal one) checks no PIN."""

    pin: str | None


async def check_pin(ctx: LedgerContext, *, actor: Principal, pin: PinCheck | None) -> bool:
    """A customer moving money out must pass the PIN check (staff never need one); True when
    a PIN was sent and right (it then also counts as the strong authentication)."""
    if actor.is_staff or pin is None:
        return False
    return await verify_transaction_pin(
        ctx.auth,
        user_id=actor.user.id,
        pin=pin.pin,
        now=ctx.clock.now(),
        required=ctx.pin_required,
    )


async def deposit(
    ctx: LedgerContext,
    *,
    actor: Principal,
    account_id: int,
    amount: str,
    description: str | None,
    idempotency_request: IdempotencyRequest | None = None,
) -> Outcome:
    """Cash in (staff): credit the account, debit the currency's settlement account."""

    async def work(session: AsyncSession) -> dict[str, Any]:
        accounts = await repository.lock_accounts(session, [account_id])
        account = require_visible(actor, accounts, account_id)
        require_open(account, money_out=False)
        minor = parse(amount, account.currency)
        now = ctx.clock.now()
        settlement = await repository.settlement_account_id(session, account.currency, now=now)
        posted = await post(
            session,
            actor=actor,
            type=EntryType.deposit,
            currency=account.currency,
            amount=minor,
            legs=[(account.id, minor), (settlement, -minor)],
            accounts=accounts,
            description=description,
            now=now,
        )
        return posted.model_dump(mode="json")

    return await idempotency.execute(
        ctx, request=idempotency_request, work=work, status=CREATED, kind="deposit"
    )


async def withdraw(
    ctx: LedgerContext,
    *,
    actor: Principal,
    account_id: int,
    amount: str,
    description: str | None,
    pin: PinCheck | None = None,
    idempotency_request: IdempotencyRequest | None = None,
) -> Outcome:
    """Cash out (staff, or the owner with their PIN): debit the account, credit settlement.
    Above the approval threshold the amount is held and the answer is 202 (ledger/approval)."""
    await check_pin(ctx, actor=actor, pin=pin)

    async def work(session: AsyncSession) -> dict[str, Any] | Answer:
        accounts = await repository.lock_accounts(session, [account_id])
        account = require_visible(actor, accounts, account_id)
        require_open(account, money_out=True)
        minor = parse(amount, account.currency)
        now = ctx.clock.now()
        held = await releasable_held(session, account, now=now)
        require_funds(account, held=held, amount=minor)
        operation = ApprovalOperation.withdrawal
        if needs_approval(ctx, operation, currency=account.currency, amount_minor=minor):
            return await wait_for_approval(
                session,
                ctx,
                actor=actor,
                operation=operation,
                account_id=account.id,
                currency=account.currency,
                amount_minor=minor,
                debits={account.id: minor},
                request={"account_id": account.id, "description": description},
                now=now,
            )
        settlement = await repository.settlement_account_id(session, account.currency, now=now)
        posted = await post(
            session,
            actor=actor,
            type=EntryType.withdrawal,
            currency=account.currency,
            amount=minor,
            legs=[(account.id, -minor), (settlement, minor)],
            accounts=accounts,
            description=description,
            now=now,
        )
        return posted.model_dump(mode="json")

    return await idempotency.execute(
        ctx, request=idempotency_request, work=work, status=CREATED, kind="withdrawal"
    )


async def transfer(
    ctx: LedgerContext,
    *,
    actor: Principal,
    from_account_id: int,
    to_account_id: int | None,
    to_account_number: str | None,
    amount: str,
    description: str | None,
    pin: PinCheck | None = None,
    sca_authorization: str | None = None,
    idempotency_request: IdempotencyRequest | None = None,
) -> Outcome:
    """Move money between two accounts of one currency; a customer must own the source, and
    paying someone else needs strong authentication (sca.service) unless exempt. Above the
    approval threshold the amount is held and the answer is 202 (ledger/approval)."""
    pin_verified = await check_pin(ctx, actor=actor, pin=pin)
    if to_account_id is None:
        to_account_id = await _account_id_by_number(ctx, actor, to_account_number or "")
    destination_id = to_account_id
    if destination_id == from_account_id:
        raise SameAccount("The source and the destination are the same account.")

    async def work(session: AsyncSession) -> dict[str, Any] | Answer:
        accounts = await repository.lock_accounts(session, [from_account_id, destination_id])
        source, destination = _transfer_pair(actor, accounts, from_account_id, destination_id)
        minor = parse(amount, source.currency)
        now = ctx.clock.now()
        held = await releasable_held(session, source, now=now)
        require_funds(source, held=held, amount=minor)
        await sca.authorize_transfer(
            session,
            ctx.sca,
            actor=actor,
            terms=_sca_terms(source, destination, minor),
            payee_owner_user_id=destination.owner_user_id,
            authorization=sca_authorization,
            pin_verified=pin_verified,
        )
        if needs_approval(
            ctx, ApprovalOperation.transfer, currency=source.currency, amount_minor=minor
        ):
            return await wait_for_approval(
                session,
                ctx,
                actor=actor,
                operation=ApprovalOperation.transfer,
                account_id=source.id,
                currency=source.currency,
                amount_minor=minor,
                debits={source.id: minor},
                request={
                    "from_account_id": source.id,
                    "to_account_id": destination.id,
                    "description": description,
                },
                now=now,
            )
        posted = await post(
            session,
            actor=actor,
            type=EntryType.transfer,
            currency=source.currency,
            amount=minor,
            legs=[(source.id, -minor), (destination.id, minor)],
            accounts=accounts,
            description=description,
            now=now,
        )
        return posted.model_dump(mode="json")

    try:
        return await idempotency.execute(
            ctx, request=idempotency_request, work=work, status=CREATED, kind="transfer"
        )
    except sca.ChallengeNeeded as needed:  # rolled back; the challenge gets its own commit
        await sca.require_challenge(ctx.sca, user_id=needed.user_id, terms=needed.terms)


def _sca_terms(source: LockedAccount, destination: LockedAccount, minor: int) -> sca.Terms:
    """What a strong authentication of this transfer must cover, exactly."""
    return sca.Terms(
        purpose=sca.TRANSFER,
        payee_account_id=destination.id,
        amount_minor=minor,
        currency=source.currency,
        source_account_id=source.id,
    )


def _transfer_pair(
    actor: Principal, accounts: Mapping[int, LockedAccount], source_id: int, destination_id: int
) -> tuple[LockedAccount, LockedAccount]:
    """The locked source and destination, once both may take part in the transfer."""
    source = require_visible(actor, accounts, source_id)
    destination = _destination(actor, accounts, destination_id, currency=source.currency)
    require_open(source, money_out=True)
    require_open(destination, money_out=False)
    if source.currency != destination.currency:
        raise CurrencyMismatch(
            f"The source holds {source.currency} and the destination "
            f"{destination.currency}; a transfer needs one currency."
        )
    return source, destination


def _destination(
    actor: Principal, accounts: Mapping[int, LockedAccount], account_id: int, *, currency: str
) -> LockedAccount:
    """The destination of a transfer. A customer paying an account that is not theirs learns
    only whether it can receive (one answer for missing, closed, frozen, deleted customer and
    another currency); staff and a customer's own accounts get the detailed refusals."""
    found = accounts.get(account_id)
    if actor.is_staff or (found is not None and found.owner_user_id == actor.user.id):
        return require_customer_account(accounts, account_id)
    if (
        found is None
        or found.kind != AccountKind.customer
        or found.status != AccountStatus.active
        or found.customer_deleted
        or found.currency != currency
    ):
        raise CannotReceive()
    return found


async def _account_id_by_number(ctx: LedgerContext, actor: Principal, number: str) -> int:
    try:
        account = await accounts.find_by_number(
            ctx.accounts,
            number=number,
            owner_user_id=None,
            field=["body", "to_account_number"],
            subject="to_account_number",
            not_found="No account has that number.",
        )
    except AccountNotFound:
        if actor.is_staff:
            raise
        raise CannotReceive() from None
    return account.id
