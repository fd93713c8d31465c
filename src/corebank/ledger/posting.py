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
from corebank.ledger import repository
from corebank.ledger.errors import InsufficientFunds
from corebank.ledger.repository import LockedAccount
from corebank.ledger.schemas import (
    AccountBalance,
    CurrencyTotal,
    LegOut,
    PostedTransactionOut,
    PostingOut,
)
from corebank.models.account import AccountKind, AccountStatus
from corebank.models.ledger import EntryType


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


@dataclass(frozen=True)
class Leg:
    """One leg of a multi-leg transaction: `amount` minor units from one account to another.

    A leg posts as two postings, its debit then its credit, so the legs of an entry (and of
    its reversal, whose postings mirror them in the same order) are read back from its
    postings in order (`legs_of`)."""

    from_account_id: int
    to_account_id: int
    amount: int


def leg_postings(legs: Sequence[Leg]) -> list[tuple[int, int]]:
    """The postings of `legs`, in order: each leg's debit, then its credit."""
    postings: list[tuple[int, int]] = []
    for leg in legs:
        postings += [(leg.from_account_id, -leg.amount), (leg.to_account_id, leg.amount)]
    return postings


def legs_of(postings: Sequence[tuple[int, int]]) -> list[Leg]:
    """The legs of a multi-leg entry or of its reversal, from its postings (pairs, in order)."""
    legs = []
    for (first, first_amount), (second, _) in zip(postings[::2], postings[1::2], strict=True):
        debited, credited = (first, second) if first_amount < 0 else (second, first)
        legs.append(Leg(debited, credited, abs(first_amount)))
    return legs


def legs_out(
    legs: Sequence[Leg], currencies: Mapping[int, str], *, numbers: Sequence[int] = ()
) -> list[LegOut]:
    """The legs as the API shows them, each in its accounts' currency (`currencies`: per
    account id), numbered from 1 (or by `numbers`, when only some legs are shown)."""
    return [
        LegOut(
            leg=n,
            from_account_id=leg.from_account_id,
            to_account_id=leg.to_account_id,
            amount=format_amount(leg.amount, currencies[leg.from_account_id]),
            currency=currencies[leg.from_account_id],
        )
        for n, leg in zip(numbers or range(1, len(legs) + 1), legs, strict=True)
    ]


def currency_totals(legs: Sequence[Leg], currencies: Mapping[int, str]) -> dict[str, int]:
    """The sum of the legs per currency, in the order the currencies first come in the legs
    (a leg's two accounts hold one currency, so each currency balances on its own)."""
    totals: dict[str, int] = {}
    for leg in legs:
        currency = currencies[leg.from_account_id]
        totals[currency] = totals.get(currency, 0) + leg.amount
    return totals


def totals_out(totals: Mapping[str, int]) -> list[CurrencyTotal]:
    return [
        CurrencyTotal(currency=currency, amount=format_amount(amount, currency))
        for currency, amount in totals.items()
    ]


@dataclass(frozen=True, kw_only=True)
class _Entry:
    """What an entry records; its audit row, event and response repeat it."""

    type: EntryType
    currency: str
    amount: int
    legs: Sequence[tuple[int, int]]
    description: str | None
    reverses_entry_id: int | None
    correlation_id: str | None
    created_at: datetime
    multi_legs: Sequence[Leg] = ()
    metadata: Mapping[str, str] | None = None
    #: Per account posted to, its currency; an account not listed (a settlement account of a
    #: deposit, a withdrawal or a capture) holds the entry's currency.
    currencies: Mapping[int, str]

    def currency_of(self, account_id: int) -> str:
        return self.currencies.get(account_id, self.currency)

    def totals(self) -> dict[str, int]:
        return currency_totals(self.multi_legs, self.currencies)


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
    multi_legs: Sequence[Leg] = (),
    metadata: Mapping[str, str] | None = None,
) -> PostedTransactionOut:
    """Move the balances, append the entry and its postings, audit and emit; one transaction.

    The caller has locked the accounts and checked each leg. The balance UPDATE (which
    returns each balance after it, for the postings), the entry's INSERT and its postings'
    INSERT are one statement on PostgreSQL; the audit row and the event are written at the
    commit. A multi-leg transaction (or its reversal) gives its `multi_legs` (whose postings
    `legs` are) and its `metadata`, which the entry, the event and the response carry; its
    legs may be in several currencies (each leg in its accounts' one), and the entry then
    records `currency` (its first leg's) and `amount` (the sum of that currency's legs).
    """
    assert sum(leg for _, leg in legs) == 0, "an entry's postings must sum to zero"
    entry = _Entry(
        type=type,
        currency=currency,
        amount=amount,
        legs=legs,
        description=description,
        reverses_entry_id=reverses_entry_id,
        correlation_id=correlation_id_var.get(),
        created_at=now,
        multi_legs=multi_legs,
        metadata=metadata,
        currencies={i: a.currency for i, a in accounts.items()},
    )
    entry_id, after = await repository.post_entry(
        session,
        deltas=_deltas(legs, held),
        type=entry.type,
        currency=entry.currency,
        amount=entry.amount,
        description=entry.description,
        created_by=actor.user.id,
        correlation_id=entry.correlation_id,
        now=entry.created_at,
        legs=entry.legs,
        reverses_entry_id=entry.reverses_entry_id,
        metadata=entry.metadata,
    )
    _record_posted(session, entry, entry_id=entry_id, actor=actor)
    visible = {i for i in after if may_see(actor, accounts.get(i))}
    return _posted_out(entry, entry_id=entry_id, after=after, visible=visible)


def _deltas(
    legs: Sequence[tuple[int, int]], held: Mapping[int, int] | None
) -> dict[int, tuple[int, int]]:
    """Per account, the (balance, held) change: its legs' sum, and its change in `held`."""
    deltas: dict[int, tuple[int, int]] = {}
    for account_id, leg in legs:
        balance, hold = deltas.get(account_id, (0, 0))
        deltas[account_id] = (balance + leg, hold)
    for account_id, change in (held or {}).items():
        balance, hold = deltas.get(account_id, (0, 0))
        deltas[account_id] = (balance, hold + change)
    return deltas


def _record_posted(
    session: AsyncSession, entry: _Entry, *, entry_id: int, actor: Principal
) -> None:
    """Queue the audit row and the domain event (`transaction.posted` or `.reversed`)."""
    event = "transaction.reversed" if entry.type == EntryType.reversal else "transaction.posted"
    payload = {
        "transaction_id": entry_id,
        "type": str(entry.type),
        "currency": entry.currency,
        "amount_minor": entry.amount,
        "postings": [{"account_id": a, "amount_minor": m} for a, m in entry.legs],
        "reverses_transaction_id": entry.reverses_entry_id,
    }
    if entry.multi_legs:
        payload["legs"] = [
            {
                "leg": n,
                "from_account_id": leg.from_account_id,
                "to_account_id": leg.to_account_id,
                "amount_minor": leg.amount,
                "currency": entry.currency_of(leg.from_account_id),
            }
            for n, leg in enumerate(entry.multi_legs, start=1)
        ]
        payload["totals"] = [
            {"currency": currency, "amount_minor": amount}
            for currency, amount in entry.totals().items()
        ]
    if entry.metadata is not None:
        payload["metadata"] = dict(entry.metadata)
    audit.record(
        session,
        event,
        actor_id=actor.user.id,
        target_type="transaction",
        target_id=entry_id,
        after={**payload, "description": entry.description},
    )
    outbox.emit(session, event, payload, aggregate_type="transaction", aggregate_id=entry_id)


def _posted_out(
    entry: _Entry, *, entry_id: int, after: Mapping[int, tuple[int, int]], visible: set[int]
) -> PostedTransactionOut:
    """The response: every posting (in its account's currency), with the balance after it and
    the account's new balances shown only for the accounts in `visible` (those the caller may
    see)."""
    of = entry.currency_of
    running = repository.running_balances(entry.legs, {i: b for i, (b, _) in after.items()})
    multi = bool(entry.multi_legs)
    return PostedTransactionOut(
        id=entry_id,
        type=entry.type,
        status="posted",
        amount=format_amount(entry.amount, entry.currency),
        currency=entry.currency,
        description=entry.description,
        reverses_transaction_id=entry.reverses_entry_id,
        legs=legs_out(entry.multi_legs, entry.currencies) if multi else None,
        totals=totals_out(entry.totals()) if multi else None,
        metadata=dict(entry.metadata) if entry.metadata is not None else None,
        postings=[
            PostingOut(
                account_id=a,
                amount=format_amount(m, of(a)),
                balance_after=format_amount(balance, of(a)) if a in visible else None,
            )
            for (a, m), balance in zip(entry.legs, running, strict=True)
        ],
        balances=[
            AccountBalance(
                account_id=i,
                balance=format_amount(after[i][0], of(i)),
                available_balance=format_amount(after[i][0] - after[i][1], of(i)),
            )
            for i in sorted(visible)
        ],
        created_at=entry.created_at,
        correlation_id=entry.correlation_id,
    )
