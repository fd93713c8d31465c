"""Posting an entry: the one place balances change, with its audit row and domain event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts import expiry
from corebank.accounts.errors import AccountClosed, AccountFrozen, AccountNotFound
from corebank.core import audit, outbox
from corebank.core.context import correlation_id_var
from corebank.core.errors import ValidationFailed, field_error
from corebank.core.money import format_amount, parse_amount
from corebank.identity.principal import Principal
from corebank.identity.service import AuthContext
from corebank.ledger import repository
from corebank.ledger.errors import InsufficientFunds
from corebank.ledger.repository import LockedAccount
from corebank.ledger.schemas import AccountBalance, PostedTransactionOut, PostingOut
from corebank.models.account import AccountKind, AccountStatus
from corebank.models.ledger import EntryType


@dataclass(frozen=True)
class PinCheck:
    """The transaction PIN a customer sent (None = none), checked before money goes out."""

    auth: AuthContext
    pin: str | None
    required: bool


def may_see(actor: Principal, account: LockedAccount | None) -> bool:
    """Staff see every customer account; a customer only their own."""
    if account is None or account.kind != AccountKind.customer:
        return False
    return actor.is_staff or account.owner_user_id == actor.user.id


def require_visible(
    actor: Principal, accounts: Mapping[int, LockedAccount], account_id: int
) -> LockedAccount:
    account = accounts.get(account_id)
    if not may_see(actor, account):
        raise AccountNotFound("No such account.")
    assert account is not None
    return account


def require_customer_account(
    accounts: Mapping[int, LockedAccount], account_id: int
) -> LockedAccount:
    account = accounts.get(account_id)
    if account is None or account.kind != AccountKind.customer:
        raise AccountNotFound("No such account.")
    return account


def require_open(account: LockedAccount, *, money_out: bool) -> None:
    """Closed accounts take nothing; frozen ones take money in but let none out."""
    if account.status == AccountStatus.closed:
        raise AccountClosed(f"Account {account.id} is closed.")
    if account.customer_deleted:
        raise AccountClosed(f"Account {account.id} belongs to a deleted customer.")
    if money_out and account.status == AccountStatus.frozen:
        raise AccountFrozen(f"Account {account.id} is frozen: no money may leave it.")


def parse(text: str, currency: str, *, loc: str = "amount") -> int:
    """Minor units of `text` in `currency`; 422 with the field's error otherwise."""
    try:
        return parse_amount(text, currency)
    except ValueError as exc:
        raise ValidationFailed(
            f"Invalid amount: {exc}.", errors=[field_error(["body", loc], str(exc))]
        ) from None


async def releasable_held(session: AsyncSession, account: LockedAccount, *, now: datetime) -> int:
    """Expire the (locked) account's due holds; return its held amount after that."""
    if account.held == 0:
        return 0
    released = await expiry.expire_locked_account_holds(session, account_id=account.id, now=now)
    return account.held - sum(released)


def require_funds(account: LockedAccount, *, held: int, amount: int) -> None:
    """422 unless balance - held - amount stays at or above minus the overdraft limit."""
    if account.balance - held - amount < -account.overdraft:
        raise InsufficientFunds(
            "The account's available balance and overdraft do not cover this amount."
        )


async def post(
    session: AsyncSession,
    *,
    actor: Principal,
    type: EntryType,
    currency: str,
    amount: int,
    legs: Sequence[tuple[int, int]],
    accounts: Mapping[int, LockedAccount],
    description: str | None,
    now: datetime,
    held: Mapping[int, int] | None = None,
    reverses_entry_id: int | None = None,
) -> PostedTransactionOut:
    """Move the balances, append the entry and its postings, audit and emit; one transaction."""
    assert sum(leg for _, leg in legs) == 0, "an entry's postings must sum to zero"
    deltas: dict[int, tuple[int, int]] = {}
    for account_id, leg in legs:
        balance, hold = deltas.get(account_id, (0, 0))
        deltas[account_id] = (balance + leg, hold)
    for account_id, change in (held or {}).items():
        balance, hold = deltas.get(account_id, (0, 0))
        deltas[account_id] = (balance, hold + change)
    after = await repository.apply_deltas(session, deltas, now=now)
    correlation_id = correlation_id_var.get()
    entry_id = await repository.insert_entry(
        session,
        type=type,
        currency=currency,
        amount=amount,
        description=description,
        created_by=actor.user.id,
        correlation_id=correlation_id,
        now=now,
        legs=legs,
        balances={i: b for i, (b, _) in after.items()},
        reverses_entry_id=reverses_entry_id,
    )
    event = "transaction.reversed" if type == EntryType.reversal else "transaction.posted"
    payload = {
        "transaction_id": entry_id,
        "type": str(type),
        "currency": currency,
        "amount_minor": amount,
        "postings": [{"account_id": a, "amount_minor": m} for a, m in legs],
        "reverses_transaction_id": reverses_entry_id,
    }
    audit.record(
        session,
        event,
        actor_id=actor.user.id,
        target_type="transaction",
        target_id=entry_id,
        after={**payload, "description": description},
    )
    outbox.emit(session, event, payload, aggregate_type="transaction", aggregate_id=entry_id)
    visible = {i for i in after if may_see(actor, accounts.get(i))}
    return PostedTransactionOut(
        id=entry_id,
        type=type,
        status="posted",
        amount=format_amount(amount, currency),
        currency=currency,
        description=description,
        reverses_transaction_id=reverses_entry_id,
        postings=[
            PostingOut(
                account_id=a,
                amount=format_amount(m, currency),
                balance_after=format_amount(after[a][0], currency) if a in visible else None,
            )
            for a, m in legs
        ],
        balances=[
            AccountBalance(
                account_id=i,
                balance=format_amount(after[i][0], currency),
                available_balance=format_amount(after[i][0] - after[i][1], currency),
            )
            for i in sorted(visible)
        ],
        created_at=now,
        correlation_id=correlation_id,
    )
