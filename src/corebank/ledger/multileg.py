"""Multi-leg transactions: several legs, each money from one account to another, posted as one
journal entry: every leg or none (docs/ledger.md, "Multi-leg transactions").

- 2 to 64 legs; each leg's two accounts hold one currency, and a set may mix currencies (a
  currency exchange through a house's accounts): each currency balances on its own. The entry
  records the first leg's currency and the sum of that currency's legs; the response and the
  event add `totals` per currency.
- Staff may debit any customer account; a customer only their own (another's is 404, as for a
  transfer). A customer paying an account that is not theirs learns per leg only whether it can
  receive the money (422 `cannot-receive-transfer`), and with SCA on needs one strong
  authentication of the whole set (`sca.authorize_payment_set`): the PIN sent with it, or a
  challenge whose terms are every leg, then its code in X-SCA-Authorization.
- Limits are checked once, on the balances after all legs: whatever the legs' order, every
  account the set debits must end with available + overdraft >= 0. A credit in the set counts
  towards it, wherever that credit comes in the list.
- The accounts are locked once, in id order, before anything is checked; a refusal names each
  leg that caused it (`errors: [{leg, reason, loc, msg, type}]`, legs counted from 1) and moves
  nothing. The checks run in this order, and the first one that fails is the answer, naming
  every leg that fails it: unknown account (404), cannot receive (422), closed (409), frozen
  (409), currency (422), amount (422), funds (422).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts.errors import AccountClosed, AccountFrozen, AccountNotFound, CannotReceive
from corebank.core.errors import CorebankError, ValidationFailed
from corebank.core.money import format_amount, parse_amount
from corebank.identity.principal import Principal
from corebank.ledger import idempotency, repository
from corebank.ledger.approval import needs_approval, wait_for_approval
from corebank.ledger.context import LedgerContext
from corebank.ledger.errors import CurrencyMismatch, InsufficientFunds, SameAccount
from corebank.ledger.idempotency import Answer, IdempotencyRequest, Outcome
from corebank.ledger.posting import (
    Leg,
    currency_totals,
    leg_postings,
    may_see,
    post,
    releasable_held,
)
from corebank.ledger.repository import LockedAccount
from corebank.ledger.schemas import MAX_LEGS, MIN_LEGS
from corebank.ledger.service import CREATED, PinCheck, check_pin
from corebank.models.account import AccountKind, AccountStatus
from corebank.models.approval import ApprovalOperation
from corebank.models.ledger import EntryType
from corebank.sca import service as sca


@dataclass(frozen=True)
class LegRequest:
    """One leg as asked for: the amount is still the request's decimal string."""

    from_account_id: int
    to_account_id: int
    amount: str


@dataclass(frozen=True)
class _Refusal:
    index: int  # the leg's position in the request, from 0
    reason: str
    msg: str


Locked = Mapping[int, LockedAccount]


async def post_transaction(
    ctx: LedgerContext,
    *,
    actor: Principal,
    legs: Sequence[LegRequest],
    description: str | None,
    metadata: Mapping[str, str],
    pin: PinCheck | None = None,
    sca_authorization: str | None = None,
    idempotency_request: IdempotencyRequest | None = None,
) -> Outcome:
    """Post every leg in one journal entry, or refuse naming the legs and move nothing; a set
    that needs a strong authentication answers 401 with a challenge covering every leg."""
    _require_leg_count(legs)
    pin_verified = await check_pin(ctx, actor=actor, pin=pin)
    same = [
        _Refusal(i, "same_account", "The leg's two accounts are the same.")
        for i, leg in enumerate(legs)
        if leg.from_account_id == leg.to_account_id
    ]
    _refuse_if(same, lambda: SameAccount("A leg's source and destination are the same account."))
    ids = {leg.from_account_id for leg in legs} | {leg.to_account_id for leg in legs}

    async def work(session: AsyncSession) -> dict[str, Any] | Answer:
        accounts = await repository.lock_accounts(session, ids)
        _check_accounts(actor, accounts, legs)
        moved = _parse_amounts(legs, accounts)
        currencies = {i: account.currency for i, account in accounts.items()}
        totals = currency_totals(moved, currencies)
        currency, amount = next(iter(totals.items()))
        now = ctx.clock.now()
        debited = {leg.from_account_id for leg in moved}
        held = {i: await releasable_held(session, accounts[i], now=now) for i in sorted(debited)}
        _refuse_if(_overdrawn(accounts, held, moved), _insufficient)
        await sca.authorize_payment_set(
            session,
            ctx.sca,
            actor=actor,
            terms=_sca_terms(moved, currencies),
            payee_owner_user_ids={
                leg.to_account_id: accounts[leg.to_account_id].owner_user_id for leg in moved
            },
            authorization=sca_authorization,
            pin_verified=pin_verified,
        )
        if _needs_approval(ctx, totals):
            return await wait_for_approval(
                session,
                ctx,
                actor=actor,
                operation=ApprovalOperation.multi_leg,
                account_id=moved[0].from_account_id,
                currency=currency,
                amount_minor=amount,
                debits=_net_outflows(moved),
                request=_approval_terms(moved, currencies, description, metadata),
                now=now,
            )
        posted = await post(
            session,
            actor=actor,
            type=EntryType.multi_leg,
            currency=currency,
            amount=amount,
            legs=leg_postings(moved),
            accounts=accounts,
            description=description,
            now=now,
            multi_legs=moved,
            metadata=dict(metadata),
        )
        return posted.model_dump(mode="json")

    try:
        return await idempotency.execute(
            ctx, request=idempotency_request, work=work, status=CREATED, kind="multi_leg"
        )
    except sca.ChallengeNeeded as needed:  # rolled back; the challenge gets its own commit
        await sca.require_challenge(ctx.sca, user_id=needed.user_id, terms=needed.terms)


def _needs_approval(ctx: LedgerContext, totals: Mapping[str, int]) -> bool:
    """A set waits for a checker when any currency's total is above that currency's threshold."""
    return any(
        needs_approval(ctx, ApprovalOperation.multi_leg, currency=currency, amount_minor=total)
        for currency, total in totals.items()
    )


def _net_outflows(legs: Sequence[Leg]) -> dict[int, int]:
    """What each account loses over all legs, for those that lose: what a waiting set holds."""
    net: dict[int, int] = defaultdict(int)
    for leg in legs:
        net[leg.from_account_id] -= leg.amount
        net[leg.to_account_id] += leg.amount
    return {account_id: -change for account_id, change in net.items() if change < 0}


def _approval_terms(
    legs: Sequence[Leg],
    currencies: Mapping[int, str],
    description: str | None,
    metadata: Mapping[str, str],
) -> dict[str, Any]:
    """The set as a waiting request keeps it, to be posted as it is on approval."""
    return {
        "legs": [
            {
                "from_account_id": leg.from_account_id,
                "to_account_id": leg.to_account_id,
                "amount": format_amount(leg.amount, currencies[leg.from_account_id]),
                "currency": currencies[leg.from_account_id],
            }
            for leg in legs
        ],
        "description": description,
        "metadata": dict(metadata),
    }


def _sca_terms(legs: Sequence[Leg], currencies: Mapping[int, str]) -> sca.Terms:
    """What a strong authentication of this set must cover: every leg, in order."""
    return sca.payment_set_terms(
        [
            sca.PaymentLeg(
                source_account_id=leg.from_account_id,
                payee_account_id=leg.to_account_id,
                amount_minor=leg.amount,
                currency=currencies[leg.from_account_id],
            )
            for leg in legs
        ]
    )


def _require_leg_count(legs: Sequence[LegRequest]) -> None:
    """The schema already says so; a service caller (not the API) is held to it too."""
    if not MIN_LEGS <= len(legs) <= MAX_LEGS:
        raise ValidationFailed(f"A transaction has {MIN_LEGS} to {MAX_LEGS} legs.")


# --- the checks, on the locked accounts ---------------------------------------------------


def _check_accounts(actor: Principal, accounts: Locked, legs: Sequence[LegRequest]) -> None:
    """Every leg's accounts may take part, and each leg's two hold one currency."""
    _refuse_if(_unknown(actor, accounts, legs), lambda: AccountNotFound("No such account."))
    _refuse_if(_cannot_receive(actor, accounts, legs), CannotReceive)
    _refuse_if(
        _failing(legs, lambda leg: _closed(accounts, leg)),
        lambda: AccountClosed("An account of the transaction is closed."),
    )
    _refuse_if(
        _failing(legs, lambda leg: _frozen(accounts, leg)),
        lambda: AccountFrozen("An account the transaction debits is frozen."),
    )
    _refuse_if(
        _failing(legs, lambda leg: _currency(accounts, leg)),
        lambda: CurrencyMismatch(
            "A leg moves one currency: its source and destination must hold the same one."
        ),
    )


def _failing(
    legs: Sequence[LegRequest], check: Callable[[LegRequest], tuple[str, str] | None]
) -> list[_Refusal]:
    """The legs that `check` refuses, with its (reason, message) for each."""
    refusals = []
    for index, leg in enumerate(legs):
        refused = check(leg)
        if refused is not None:
            refusals.append(_Refusal(index, *refused))
    return refusals


def _unknown(actor: Principal, accounts: Locked, legs: Sequence[LegRequest]) -> list[_Refusal]:
    """Legs debiting an account the caller may not see (a customer: not theirs), or crediting
    a missing one as staff or a customer's own (a customer's payee is `_cannot_receive`'s)."""

    def check(leg: LegRequest) -> tuple[str, str] | None:
        if not may_see(actor, accounts.get(leg.from_account_id)):
            return "account_not_found", "No such account to debit (from_account_id)."
        if _detailed(actor, accounts, leg.to_account_id) and not _customer_account(
            accounts.get(leg.to_account_id)
        ):
            return "account_not_found", "No such account to credit (to_account_id)."
        return None

    return _failing(legs, check)


def _cannot_receive(
    actor: Principal, accounts: Locked, legs: Sequence[LegRequest]
) -> list[_Refusal]:
    """A customer paying an account that is not theirs learns only that it cannot take the
    money (missing, closed, frozen, its customer deleted, another currency: one answer)."""

    def check(leg: LegRequest) -> tuple[str, str] | None:
        if _detailed(actor, accounts, leg.to_account_id):
            return None
        payee = accounts.get(leg.to_account_id)
        source = accounts[leg.from_account_id]
        if (
            payee is None
            or payee.kind != AccountKind.customer
            or payee.status != AccountStatus.active
            or payee.customer_deleted
            or payee.currency != source.currency
        ):
            return "cannot_receive", "That account cannot receive this leg."
        return None

    # The first refused leg only: a customer learns as much per request as a transfer tells.
    return _failing(legs, check)[:1]


def _detailed(actor: Principal, accounts: Locked, account_id: int) -> bool:
    """Whether the caller gets the detailed refusals about this account: staff always, a
    customer for their own accounts."""
    found = accounts.get(account_id)
    return actor.is_staff or (found is not None and found.owner_user_id == actor.user.id)


def _customer_account(account: LockedAccount | None) -> bool:
    return account is not None and account.kind == AccountKind.customer


def _closed(accounts: Locked, leg: LegRequest) -> tuple[str, str] | None:
    for account_id in (leg.from_account_id, leg.to_account_id):
        account = accounts[account_id]
        if account.status == AccountStatus.closed:
            return "account_closed", f"Account {account_id} is closed."
        if account.customer_deleted:
            return "account_closed", f"Account {account_id} belongs to a deleted customer."
    return None


def _frozen(accounts: Locked, leg: LegRequest) -> tuple[str, str] | None:
    if accounts[leg.from_account_id].status == AccountStatus.frozen:
        return "account_frozen", f"Account {leg.from_account_id} is frozen: no money may leave it."
    return None


def _currency(accounts: Locked, leg: LegRequest) -> tuple[str, str] | None:
    """A leg's two accounts hold one currency; legs of several currencies may share a set."""
    source, destination = accounts[leg.from_account_id], accounts[leg.to_account_id]
    if source.currency != destination.currency:
        return (
            "currency_mismatch",
            f"The leg's source holds {source.currency} and its destination {destination.currency}.",
        )
    return None


def _parse_amounts(legs: Sequence[LegRequest], accounts: Locked) -> list[Leg]:
    """The legs in minor units of each leg's currency; 422 naming each leg whose amount is not
    one."""
    moved: list[Leg] = []
    refusals = []
    for index, leg in enumerate(legs):
        currency = accounts[leg.from_account_id].currency
        try:
            minor = parse_amount(leg.amount, currency)
        except ValueError as exc:
            refusals.append(_Refusal(index, "invalid_amount", f"{exc} ({currency})"))
            continue
        moved.append(Leg(leg.from_account_id, leg.to_account_id, minor))
    _refuse_if(refusals, lambda: ValidationFailed("Invalid amount for the leg's currency."))
    return moved


def _overdrawn(accounts: Locked, held: Mapping[int, int], legs: Sequence[Leg]) -> list[_Refusal]:
    """Per account the set debits, the first leg whose debit (with the ones before it) is more
    than the account can spend plus everything the set credits it: the set would leave the
    account below its limit, and that leg is the one that does not fit."""
    credits: dict[int, int] = defaultdict(int)
    for leg in legs:
        credits[leg.to_account_id] += leg.amount
    spent: dict[int, int] = defaultdict(int)
    refusals, refused = [], set()
    for index, leg in enumerate(legs):
        account = accounts[leg.from_account_id]
        spent[account.id] += leg.amount
        room = account.balance - held[account.id] + account.overdraft + credits[account.id]
        if account.id not in refused and spent[account.id] > room:
            refused.add(account.id)
            refusals.append(
                _Refusal(
                    index,
                    "insufficient_funds",
                    f"After every leg, account {account.id} would be below its limit.",
                )
            )
    return refusals


def _insufficient() -> InsufficientFunds:
    return InsufficientFunds(
        "An account's available balance and overdraft, with what the transaction credits it, "
        "do not cover what the transaction debits it."
    )


def _refuse_if(refusals: Sequence[_Refusal], error: Callable[[], CorebankError]) -> None:
    """Raise `error()` naming every refused leg, if any."""
    if refusals:
        _refuse(error(), refusals)


def _refuse(error: CorebankError, refusals: Sequence[_Refusal]) -> NoReturn:
    error.extra["errors"] = [
        {
            "leg": r.index + 1,
            "reason": r.reason,
            "loc": ["body", "legs", r.index],
            "msg": r.msg,
            "type": r.reason,
        }
        for r in refusals
    ]
    numbers = ", ".join(str(r.index + 1) for r in refusals)
    error.detail = f"{error.detail} Refused: leg {numbers}; nothing moved."
    raise error
