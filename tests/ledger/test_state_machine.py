"""A hypothesis state machine over the service layer, checking the ledger after every step.

Rules: deposit, withdraw (staff and the owner), transfer, multi-leg transactions (staff and the
owner; now and then with a leg in a second currency, EUR, as a currency exchange has), hold,
capture, void, reverse, overdraft-limit changes, freeze/unfreeze, the clock moving and the
expiry sweep; and maker-checker: above APPROVAL_THRESHOLD (100.00 in either currency) a
withdrawal, transfer or set waits with its money held, and a checker approves or rejects it, or
the sweep expires it. A model
predicts each step's outcome exactly; after every step the database must agree with the
model, every currency must sum to zero, stored balances must equal their postings, held
amounts their open holds, no account may be below its limit (unless a reversal took it
there), and a refused step must have changed nothing at all.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts import expiry, lifecycle
from corebank.accounts import service as accounts
from corebank.accounts.context import AccountsContext
from corebank.approvals import service as approvals
from corebank.approvals.context import ApprovalsContext
from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.core.errors import CorebankError
from corebank.core.money import format_amount
from corebank.identity.deps import Principal
from corebank.ledger import holds, multileg, reversal, service
from corebank.ledger.context import LedgerContext
from corebank.ledger.verify import verify_ledger
from corebank.models import Account, ApprovalRequest, Hold, JournalEntry, Posting
from tests.ledger.helpers import insert_customer, service_actor, service_contexts

T = TypeVar("T")
CREDIT_LIMIT = 10_000
AMOUNTS = st.integers(min_value=1, max_value=15_000)
LEG_COUNTS = st.integers(min_value=2, max_value=4)
LEG_AMOUNTS = st.integers(min_value=1, max_value=5_000)
SETTINGS = settings(
    max_examples=50,
    stateful_step_count=30,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
#: APPROVAL_THRESHOLD in minor units, USD and EUR; APPROVAL_TTL in seconds.
THRESHOLD = 1_000
APPROVAL_TTL = 600


@dataclass
class ModelAccount:
    id: int
    currency: str = "USD"
    balance: int = 0
    held: int = 0
    limit: int = 0
    frozen: bool = False
    reversed_out: bool = False


@dataclass
class ModelHold:
    id: int
    account: int
    amount: int
    expires_at: datetime
    status: str = "open"
    #: Reserves a waiting approval request's money: only the request's decision ends it.
    reserved: bool = False


@dataclass
class ModelApproval:
    """A money movement waiting for a checker: what it posts, its holds, who it debits."""

    id: int
    legs: dict[int, int]
    sources: set[int]
    holds: list[int]
    expires_at: datetime
    status: str = "pending"


@dataclass
class ModelEntry:
    id: int
    legs: dict[int, int]
    reversible: bool = True


@dataclass
class World:
    db: Database
    loop: asyncio.AbstractEventLoop
    clock: FrozenClock
    staff: Principal
    admin: Principal
    accounts: AccountsContext
    ledger: LedgerContext
    approvals: ApprovalsContext
    checker: Principal
    examples: list[bool] = field(default_factory=list)
    #: The entries of multi-leg sets that posted in two currencies.
    exchanges: list[int] = field(default_factory=list)


class LedgerModel:
    """What the ledger must hold: balances, held amounts, limits, holds and journal entries.

    Every step's expected outcome is predicted here, and every successful step is applied
    here, so after each step the database can be compared with the model field by field.
    """

    def __init__(self, clock: FrozenClock, ids: list[tuple[int, str]]) -> None:
        self.clock = clock
        self.accounts = {account_id: ModelAccount(account_id, c) for account_id, c in ids}
        self.usd = [account_id for account_id, c in ids if c == "USD"]
        self.eur = [account_id for account_id, c in ids if c == "EUR"]
        self.holds: dict[int, ModelHold] = {}
        self.entries: list[ModelEntry] = []
        self.approvals: dict[int, ModelApproval] = {}

    # --- time: a hold past its expiry counts for nothing, and lapses when its account is touched

    def due(self, account_id: int) -> list[ModelHold]:
        now = self.clock.now()
        return [
            h
            for h in self.holds.values()
            if h.account == account_id and h.status == "open" and h.expires_at <= now
        ]

    def live(self, hold: ModelHold) -> bool:
        return hold.status == "open" and hold.expires_at > self.clock.now()

    def expire(self, account_id: int) -> None:
        for hold in self.due(account_id):
            hold.status = "expired"
            self.accounts[account_id].held -= hold.amount

    def expire_all(self) -> None:
        for account_id in self.accounts:
            self.expire(account_id)

    # --- predictions ------------------------------------------------------------------------

    def effective_held(self, account_id: int) -> int:
        """Held funds once the due holds are left out."""
        return self.accounts[account_id].held - sum(h.amount for h in self.due(account_id))

    def spendable(self, account_id: int) -> int:
        a = self.accounts[account_id]
        return a.balance - self.effective_held(account_id) + a.limit

    def can_spend(self, account_id: int, amount: int) -> bool:
        a = self.accounts[account_id]
        return not a.frozen and a.balance - self.effective_held(account_id) - amount >= -a.limit

    def can_transfer(self, source: int, target: int, amount: int) -> bool:
        return (
            source != target
            and self.accounts[target].currency == "USD"
            and self.can_spend(source, amount)
        )

    def can_post_legs(self, legs: list[tuple[int, int, int]], *, by_owner: bool) -> bool:
        """Every leg may take part (see `leg_may_move`), and each account the set debits ends
        within its limit once every leg is counted, whatever their order and currencies."""
        if not all(self.leg_may_move(leg, by_owner=by_owner) for leg in legs):
            return False
        net: dict[int, int] = {}
        for source, target, amount in legs:
            net[source] = net.get(source, 0) - amount
            net[target] = net.get(target, 0) + amount
        return all(self.ends_within_limit(s, net[s]) for s in {leg[0] for leg in legs})

    def leg_may_move(self, leg: tuple[int, int, int], *, by_owner: bool) -> bool:
        """Two accounts of one currency (a set may mix currencies, a leg may not), the source
        not frozen; the owner may debit only their own account, and pay another's only if it
        is active."""
        source, target, _ = leg
        own = self.usd[0]
        if source == target or self.accounts[source].frozen:
            return False
        if self.accounts[source].currency != self.accounts[target].currency:
            return False
        return not by_owner or (
            source == own and (target == own or not self.accounts[target].frozen)
        )

    def ends_within_limit(self, account_id: int, change: int) -> bool:
        a = self.accounts[account_id]
        return a.balance - self.effective_held(account_id) + change >= -a.limit

    def can_capture(self, hold: ModelHold, amount: int) -> bool:
        """A live hold made by hand, its account not frozen, at most its amount and not above
        the withdrawal's approval threshold (a capture is money out)."""
        return (
            self.can_void(hold)
            and not self.accounts[hold.account].frozen
            and amount <= min(hold.amount, THRESHOLD)
        )

    def can_void(self, hold: ModelHold) -> bool:
        return self.live(hold) and not hold.reserved

    def can_set_limit(self, account_id: int, limit: int) -> bool:
        balance = self.accounts[account_id].balance
        return limit <= CREDIT_LIMIT and balance - self.effective_held(account_id) >= -limit

    def waits(self, totals: dict[str, int], *, multi_leg: bool) -> bool:
        """A transfer or withdrawal above the threshold waits for a checker (sets do not:
        APPROVAL_OPERATIONS leaves them out, so the machine keeps posting large ones)."""
        return not multi_leg and any(total > THRESHOLD for total in totals.values())

    def can_approve(self, approval: ModelApproval) -> bool:
        """Pending, not expired, every debited account still may pay, every hold still open."""
        return (
            self.can_reject(approval)
            and not any(self.accounts[a].frozen for a in approval.sources if a in self.accounts)
            and all(self.holds[h].status == "open" for h in approval.holds)
        )

    def can_reject(self, approval: ModelApproval) -> bool:
        return approval.status == "pending" and approval.expires_at > self.clock.now()

    # --- effects of a step that succeeded ----------------------------------------------------

    def wait(
        self, body: dict[str, Any], legs: dict[int, int], sources: set[int], debits: dict[int, int]
    ) -> None:
        """A request waits: each account's net outflow is held (holds made in account order)."""
        hold_ids = body["hold_ids"]
        assert len(hold_ids) == len(debits)
        for hold_id, account_id in zip(hold_ids, sorted(debits), strict=True):
            self.place_hold(hold_id, account_id, debits[account_id], APPROVAL_TTL, reserved=True)
        expires_at = self.clock.now() + timedelta(seconds=APPROVAL_TTL)
        self.approvals[body["id"]] = ModelApproval(body["id"], legs, sources, hold_ids, expires_at)

    def approve(self, approval: ModelApproval, entry_id: int) -> None:
        for hold_id in approval.holds:
            self.settle(self.holds[hold_id], "captured")
        self.post(entry_id, approval.legs)
        approval.status = "approved"

    def release(self, approval: ModelApproval, status: str) -> None:
        """Rejected or expired: its holds still open are voided (lapsed ones are gone already)."""
        for hold_id in approval.holds:
            if self.holds[hold_id].status == "open":
                self.settle(self.holds[hold_id], "voided")
        approval.status = status

    def expire_approvals(self) -> int:
        """The sweep: pending requests past their expiry are released; how many."""
        due = [
            a
            for a in self.approvals.values()
            if a.status == "pending" and a.expires_at <= self.clock.now()
        ]
        for approval in due:
            self.release(approval, "expired")
        return len(due)

    def post(self, entry_id: int, legs: dict[int, int], *, reversible: bool = True) -> None:
        self.entries.append(ModelEntry(entry_id, legs, reversible))
        for account_id, amount in legs.items():
            self.accounts[account_id].balance += amount

    def spent(self, account_id: int, entry_id: int, legs: dict[int, int]) -> None:
        """Money left `account_id`: the service lapsed its due holds and posted `legs`."""
        self.expire(account_id)
        self.post(entry_id, legs)

    def place_hold(
        self, hold_id: int, account_id: int, amount: int, ttl: int, *, reserved: bool = False
    ) -> None:
        self.accounts[account_id].held += amount
        expires_at = self.clock.now() + timedelta(seconds=ttl)
        self.holds[hold_id] = ModelHold(hold_id, account_id, amount, expires_at, reserved=reserved)

    def settle(self, hold: ModelHold, status: str) -> None:
        """A captured or voided hold stops holding its funds."""
        hold.status = status
        self.accounts[hold.account].held -= hold.amount

    def reverse(self, entry: ModelEntry, reversal_id: int) -> None:
        """Post the mirror of `entry`; neither may be reversed again. An account that a
        reversal takes money from may end up below its limit."""
        entry.reversible = False
        legs = {account_id: -amount for account_id, amount in entry.legs.items()}
        self.post(reversal_id, legs, reversible=False)
        for account_id, amount in legs.items():
            if amount < 0:
                self.accounts[account_id].reversed_out = True


# --- what the database holds ------------------------------------------------------------------


@dataclass
class Observed:
    """Per account (balance, held, limit, sum of postings, sum of open holds); per currency the
    sum of all postings."""

    accounts: dict[int, tuple[int, int, int, int, int]]
    currencies: list[int]


async def open_accounts(world: World) -> tuple[Principal, list[tuple[int, str]]]:
    """A customer user owning one USD account, and four more accounts (USD, USD, EUR, EUR)."""
    owner = await service_actor(world.db, "customer")
    ids = []
    owners = ((owner.user.id, "USD"), (None, "USD"), (None, "USD"), (None, "EUR"), (None, "EUR"))
    for user_id, currency in owners:
        customer = await insert_customer(world.db, user_id=user_id, credit_limit_minor=CREDIT_LIMIT)
        account = await accounts.open_account(
            world.accounts,
            actor=world.staff,
            customer_id=customer.id,
            type="checking",
            currency=currency,
            nickname=None,
        )
        ids.append((account.id, currency))
    return owner, ids


ACCOUNT_FIGURES = (
    Account.id,
    Account.balance_minor,
    Account.held_minor,
    Account.overdraft_limit_minor,
)


async def snapshot(db: Database) -> tuple[Any, ...]:
    """Everything a refused step must leave alone: accounts, the entry count, every hold."""
    async with db.session() as session:
        rows = (
            await session.execute(select(*ACCOUNT_FIGURES, Account.status).order_by(Account.id))
        ).all()
        entries = await session.scalar(select(func.count()).select_from(JournalEntry))
        open_holds = (await session.execute(select(Hold.id, Hold.status).order_by(Hold.id))).all()
    return tuple(rows), entries, tuple(open_holds)


async def observe(db: Database, ids: list[int]) -> Observed:
    """What the database says about the model's accounts, for `assert_agrees`."""
    async with db.session() as session:
        posted = await _sum_per_account(
            session, Posting.account_id, Posting.amount_minor, Posting.account_id.in_(ids)
        )
        held = await _sum_per_account(
            session,
            Hold.account_id,
            Hold.amount_minor,
            Hold.account_id.in_(ids),
            Hold.status == "open",
        )
        rows = (await session.execute(select(*ACCOUNT_FIGURES).where(Account.id.in_(ids)))).all()
        currencies = (
            await session.scalars(
                select(func.sum(Posting.amount_minor))
                .join(Account, Account.id == Posting.account_id)
                .group_by(Account.currency)
            )
        ).all()
    return Observed(
        {r[0]: (r[1], r[2], r[3], posted.get(r[0], 0), held.get(r[0], 0)) for r in rows},
        list(currencies),
    )


async def _sum_per_account(
    session: AsyncSession, account_id: Any, amount: Any, *where: Any
) -> dict[int, int]:
    query = select(account_id, func.sum(amount)).where(*where).group_by(account_id)
    return dict((await session.execute(query)).all())


async def approval_statuses(db: Database, ids: list[int]) -> dict[int, str]:
    async with db.session() as session:
        rows = await session.execute(
            select(ApprovalRequest.id, ApprovalRequest.status).where(ApprovalRequest.id.in_(ids))
        )
        return {row[0]: str(row[1]) for row in rows}


def assert_agrees(model: LedgerModel, observed: Observed) -> None:
    """The database equals the model, is consistent in itself, and every currency sums to 0."""
    for account in model.accounts.values():
        balance, held, limit, posted, open_holds = observed.accounts[account.id]
        assert (balance, held, limit) == (account.balance, account.held, account.limit)
        assert posted == balance, "stored balance differs from its postings"
        assert open_holds == held, "held differs from the open holds"
        if not account.reversed_out:
            assert balance - held >= -limit, "below the overdraft limit"
    assert all(total == 0 for total in observed.currencies), observed.currencies


# --- the machine ------------------------------------------------------------------------------


class LedgerMachine(RuleBasedStateMachine):
    """Runs random steps against the service layer; `make_machine` binds it to a world."""

    world: World

    def __init__(self) -> None:
        super().__init__()
        self.owner, ids = self.run(open_accounts(self.world))
        self.model = LedgerModel(self.world.clock, ids)
        self.world.examples.append(True)

    def run(self, coro: Awaitable[T]) -> T:
        """Run a coroutine on the test's event loop (the machine runs in a worker thread)."""
        return asyncio.run_coroutine_threadsafe(coro, self.world.loop).result()  # type: ignore[arg-type]

    def call(self, fn: Callable[..., Awaitable[T]], **kwargs: Any) -> Awaitable[T]:
        """`fn` on the world's ledger context, as staff unless an actor is given."""
        kwargs.setdefault("actor", self.world.staff)
        return fn(self.world.ledger, **kwargs)

    def update_account(self, **kwargs: Any) -> Awaitable[Any]:
        """`lifecycle.update_account` on the world's accounts context, as staff."""
        return lifecycle.update_account(self.world.accounts, actor=self.world.staff, **kwargs)

    def move(
        self, fn: Callable[..., Awaitable[T]], amount: int, currency: str = "USD", **kwargs: Any
    ) -> Awaitable[T]:
        """`call` for a step that moves `amount` minor units, without a description."""
        return self.call(fn, amount=format_amount(amount, currency), description=None, **kwargs)

    def attempt(self, expected: bool, coro: Awaitable[Any]) -> Any:
        """Run a step the model expects to succeed or be refused; a refusal changes nothing."""
        before = self.run(snapshot(self.world.db))
        try:
            result = self.run(coro)
        except CorebankError as exc:
            assert not expected, f"refused unexpectedly: {exc.problem_type} {exc.detail}"
            assert self.run(snapshot(self.world.db)) == before, "a refused step changed the ledger"
            return None
        assert expected, "succeeded although the model expected a refusal"
        return result

    def any_account(self, data: st.DataObject) -> ModelAccount:
        return self.model.accounts[data.draw(st.sampled_from(sorted(self.model.accounts)))]

    def usd_account(self, data: st.DataObject) -> int:
        return data.draw(st.sampled_from(self.model.usd))

    def any_hold(self, data: st.DataObject) -> ModelHold:
        return self.model.holds[data.draw(st.sampled_from(sorted(self.model.holds)))]

    # --- moving money -------------------------------------------------------------------------

    @rule(data=st.data(), amount=AMOUNTS)
    def deposit(self, data: st.DataObject, amount: int) -> None:
        account = self.any_account(data)
        outcome = self.attempt(
            True, self.move(service.deposit, amount, account.currency, account_id=account.id)
        )
        self.model.post(outcome.body["id"], {account.id: amount})

    @rule(data=st.data(), amount=AMOUNTS, as_owner=st.booleans())
    def withdraw(self, data: st.DataObject, amount: int, as_owner: bool) -> None:
        account_id = self.usd_account(data)
        actor = self.owner if as_owner else self.world.staff
        owns = not as_owner or account_id == self.model.usd[0]
        outcome = self.attempt(
            self.model.can_spend(account_id, amount) and owns,
            self.move(service.withdraw, amount, actor=actor, account_id=account_id),
        )
        if outcome is not None:
            self.model.expire(account_id)
            self.moved(outcome, {"USD": amount}, {account_id: -amount}, {account_id})

    @rule(data=st.data(), amount=AMOUNTS)
    def transfer(self, data: st.DataObject, amount: int) -> None:
        source = self.usd_account(data)
        target = data.draw(st.sampled_from(sorted(self.model.accounts)))
        self.pay(source, target, amount)

    @precondition(lambda self: self.well_funded())
    @rule(data=st.data())
    def large_transfer(self, data: st.DataObject) -> None:
        """A transfer above the approval threshold from an account that can afford it (the
        plain `transfer` is mostly refused for want of funds), so requests wait for checkers."""
        source = data.draw(st.sampled_from(self.well_funded()))
        target = data.draw(st.sampled_from([a for a in self.model.usd if a != source]))
        most = self.model.spendable(source)
        self.pay(source, target, data.draw(st.integers(min_value=THRESHOLD + 1, max_value=most)))

    def well_funded(self) -> list[int]:
        """The USD accounts that can spend more than the approval threshold."""
        return [a for a in self.model.usd if self.model.spendable(a) > THRESHOLD]

    def pay(self, source: int, target: int, amount: int) -> None:
        outcome = self.attempt(
            self.model.can_transfer(source, target, amount),
            self.move(
                service.transfer,
                amount,
                from_account_id=source,
                to_account_id=target,
                to_account_number=None,
            ),
        )
        if outcome is not None:
            self.model.expire(source)
            legs = {source: -amount, target: amount}
            self.moved(outcome, {"USD": amount}, legs, {source})

    @rule(data=st.data(), count=LEG_COUNTS, as_owner=st.booleans(), cycle=st.booleans())
    def post_legs(self, data: st.DataObject, count: int, as_owner: bool, cycle: bool) -> None:
        """A set of legs, by staff or the owner: a cycle through the USD accounts (staff), or
        free legs mostly from the accounts with the most to spend to other USD accounts, with
        any account now and then (an EUR one, the source itself, someone else's)."""
        if cycle and not as_owner:
            legs = self.cycle_legs(data, count)
        else:
            legs = [self.free_leg(data, as_owner) for _ in range(count)]
        self.post_set(legs, as_owner=as_owner)

    @rule(data=st.data(), euro_more=st.just(0) | st.integers(min_value=1, max_value=200))
    def post_exchange(self, data: st.DataObject, euro_more: int) -> None:
        """A set in two currencies (staff), as a currency exchange: a cycle of two USD legs and
        two EUR legs there and back, in any order (see `cycle_legs`, `euro_legs`)."""
        legs = [*self.cycle_legs(data, 2), *self.euro_legs(data, euro_more)]
        self.post_set(data.draw(st.permutations(legs)), as_owner=False)

    def post_set(self, legs: list[tuple[int, int, int]], *, as_owner: bool) -> None:
        """Post `legs` as one multi-leg transaction, as predicted; the model follows."""
        outcome = self.attempt(
            self.model.can_post_legs(legs, by_owner=as_owner),
            self.call(
                multileg.post_transaction,
                actor=self.owner if as_owner else self.world.staff,
                legs=[
                    multileg.LegRequest(s, t, format_amount(a, self.model.accounts[s].currency))
                    for s, t, a in legs
                ],
                description=None,
                metadata={"step": "post_legs"},
            ),
        )
        if outcome is None:
            return
        if len({self.model.accounts[s].currency for s, _, _ in legs}) > 1 and outcome.status == 201:
            self.world.exchanges.append(outcome.body["id"])
        net: dict[int, int] = {}
        totals: dict[str, int] = {}
        for source, target, amount in legs:
            self.model.expire(source)
            net[source] = net.get(source, 0) - amount
            net[target] = net.get(target, 0) + amount
            currency = self.model.accounts[source].currency
            totals[currency] = totals.get(currency, 0) + amount
        self.moved(outcome, totals, net, {source for source, _, _ in legs}, multi_leg=True)

    def moved(
        self,
        outcome: Any,
        totals: dict[str, int],
        legs: dict[int, int],
        sources: set[int],
        *,
        multi_leg: bool = False,
    ) -> None:
        """A movement the service accepted: posted (201), or waiting for a checker (202)."""
        waits = self.model.waits(totals, multi_leg=multi_leg)
        assert outcome.status == (202 if waits else 201), outcome
        if not waits:
            self.model.post(outcome.body["id"], legs)
            return
        debits = {a: -change for a, change in legs.items() if change < 0}
        self.model.wait(outcome.body, legs, sources, debits)

    def cycle_legs(self, data: st.DataObject, count: int) -> list[tuple[int, int, int]]:
        """Legs around a cycle of USD accounts, each paying the next the same amount, the last
        paying the first perhaps a little more: every account nets zero (a credit funds its
        debit, even from a zero balance), except the last by that little more."""
        usd = self.model.usd
        path = [data.draw(st.sampled_from(usd))]
        for n in range(1, count):
            avoid = {path[-1], path[0]} if n == count - 1 else {path[-1]}
            path.append(data.draw(st.sampled_from([a for a in usd if a not in avoid])))
        amount = data.draw(LEG_AMOUNTS)
        legs = [(a, b, amount) for a, b in zip(path, path[1:] + path[:1], strict=True)]
        source, target, _ = legs[-1]
        more = data.draw(st.just(0) | st.integers(min_value=1, max_value=200))
        legs[-1] = (source, target, amount + more)
        return legs

    def free_leg(self, data: st.DataObject, as_owner: bool) -> tuple[int, int, int]:
        """The owner's source is mostly their own account, staff's one of the USD accounts with
        the most to spend; the amount mostly within what the source can spend."""
        usd = self.model.usd
        if as_owner and data.draw(st.integers(min_value=0, max_value=3)):
            source = usd[0]
        else:
            source = data.draw(st.sampled_from(sorted(usd, key=self.model.spendable, reverse=True)))
        others = [a for a in usd if a != source]
        target = data.draw(st.sampled_from(others + sorted(self.model.accounts)))
        most = max(1, self.model.spendable(source))
        return source, target, data.draw(st.integers(min_value=1, max_value=most) | LEG_AMOUNTS)

    def euro_legs(self, data: st.DataObject, more: int) -> list[tuple[int, int, int]]:
        """Two legs between the two EUR accounts, there and back: the same amount (each credit
        funds the other account's debit, even from zero), the way back `more` (which needs
        money in the account it leaves)."""
        there, back = data.draw(st.permutations(self.model.eur))
        amount = data.draw(LEG_AMOUNTS)
        return [(there, back, amount), (back, there, amount + more)]

    @precondition(lambda self: self.model.entries)
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        entry = data.draw(st.sampled_from(self.model.entries))
        outcome = self.attempt(
            entry.reversible,
            self.call(reversal.reverse, actor=self.world.admin, entry_id=entry.id, reason="test"),
        )
        if outcome is not None:
            self.model.reverse(entry, outcome.body["id"])

    # --- holds --------------------------------------------------------------------------------

    @rule(data=st.data(), amount=AMOUNTS, ttl=st.integers(min_value=1, max_value=600))
    def hold(self, data: st.DataObject, amount: int, ttl: int) -> None:
        account_id = self.usd_account(data)
        outcome = self.attempt(
            self.model.can_spend(account_id, amount),
            self.move(holds.create_hold, amount, account_id=account_id, expires_in_seconds=ttl),
        )
        if outcome is not None:
            self.model.expire(account_id)
            self.model.place_hold(outcome.body["id"], account_id, amount, ttl)

    @precondition(lambda self: self.model.holds)
    @rule(data=st.data(), part=st.none() | st.integers(min_value=1, max_value=15_000))
    def capture(self, data: st.DataObject, part: int | None) -> None:
        hold = self.any_hold(data)
        amount = hold.amount if part is None else part
        outcome = self.attempt(
            self.model.can_capture(hold, amount),
            self.call(
                holds.capture_hold,
                hold_id=hold.id,
                amount=None if part is None else format_amount(part, "USD"),
            ),
        )
        if outcome is not None:
            self.model.settle(hold, "captured")
            self.model.post(outcome.body["transaction"]["id"], {hold.account: -amount})

    @precondition(lambda self: self.model.holds)
    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        hold = self.any_hold(data)
        outcome = self.attempt(
            self.model.can_void(hold), self.call(holds.void_hold, hold_id=hold.id)
        )
        if outcome is not None:
            self.model.settle(hold, "voided")

    # --- accounts and time --------------------------------------------------------------------

    @rule(data=st.data(), limit=st.integers(min_value=0, max_value=CREDIT_LIMIT + 2_000))
    def set_limit(self, data: st.DataObject, limit: int) -> None:
        account_id = self.usd_account(data)
        outcome = self.attempt(
            self.model.can_set_limit(account_id, limit),
            self.update_account(
                account_id=account_id,
                changes={"overdraft_limit": format_amount(limit, "USD")},
            ),
        )
        if outcome is not None:
            self.model.expire(account_id)
            self.model.accounts[account_id].limit = limit

    @rule(data=st.data())
    def toggle_freeze(self, data: st.DataObject) -> None:
        account = self.any_account(data)
        status = "active" if account.frozen else "frozen"
        self.attempt(
            True,
            self.update_account(account_id=account.id, changes={"status": status}),
        )
        account.frozen = not account.frozen

    @rule(seconds=st.integers(min_value=1, max_value=400))
    def time_passes(self, seconds: int) -> None:
        self.world.clock.advance(seconds=seconds)

    @rule()
    def sweep(self) -> None:
        """`corebank ledger sweep`: approval requests past their TTL, then due holds."""
        now = self.world.clock.now()
        self.run(approvals.expire_due(self.world.approvals, now=now))
        self.model.expire_approvals()
        self.run(expiry.expire_due_holds(self.world.db, now))
        self.model.expire_all()

    # --- maker-checker ------------------------------------------------------------------------

    @precondition(lambda self: any(a.status == "pending" for a in self.model.approvals.values()))
    @rule()
    def nobody_decides(self) -> None:
        """A whole APPROVAL_TTL passes without a decision, then the sweep runs."""
        self.world.clock.advance(seconds=APPROVAL_TTL)
        self.sweep()

    def pending_request(self, data: st.DataObject) -> ModelApproval:
        pending = sorted(a.id for a in self.model.approvals.values() if a.status == "pending")
        return self.model.approvals[data.draw(st.sampled_from(pending))]

    @precondition(lambda self: any(a.status == "pending" for a in self.model.approvals.values()))
    @rule(data=st.data())
    def approve(self, data: st.DataObject) -> None:
        """A checker approves a pending request (perhaps past its expiry, or its hold gone)."""
        approval = self.pending_request(data)
        decided = self.attempt(
            self.model.can_approve(approval),
            approvals.approve(
                self.world.approvals,
                checker=self.world.checker,
                approval_id=approval.id,
                reason=None,
            ),
        )
        if decided is not None:
            self.model.approve(approval, decided.result["transaction_id"])

    @precondition(lambda self: any(a.status == "pending" for a in self.model.approvals.values()))
    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        """A checker rejects a pending request (perhaps past its expiry)."""
        approval = self.pending_request(data)
        checker, ctx = self.world.checker, self.world.approvals
        decided = self.attempt(
            self.model.can_reject(approval),
            approvals.reject(ctx, checker=checker, approval_id=approval.id, reason="test"),
        )
        if decided is not None:
            self.model.release(approval, "rejected")

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def ledger_agrees_with_the_model(self) -> None:
        assert_agrees(self.model, self.run(observe(self.world.db, list(self.model.accounts))))

    @invariant()
    def approval_requests_agree_with_the_model(self) -> None:
        expected = {a.id: a.status for a in self.model.approvals.values()}
        assert self.run(approval_statuses(self.world.db, list(expected))) == expected


def make_machine(world: World) -> type[LedgerMachine]:
    """The machine bound to `world` (hypothesis builds a fresh instance per example)."""
    return type("LedgerMachine", (LedgerMachine,), {"world": world})


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "approval_threshold": f"USD:{THRESHOLD / 100:.2f},EUR:{THRESHOLD / 100:.2f}",
        "approval_ttl": APPROVAL_TTL,
        "approval_operations": "transfer,withdrawal",
    }


async def test_ledger_state_machine(db: Database) -> None:
    clock = FrozenClock()
    async with service_contexts(db, clock) as container:
        world = World(
            db=db,
            loop=asyncio.get_running_loop(),
            clock=clock,
            staff=await service_actor(db, "staff"),
            admin=await service_actor(db, "admin"),
            accounts=container.accounts,
            ledger=container.ledger,
            approvals=container.approvals,
            checker=await service_actor(db, "staff"),
        )
        machine = make_machine(world)
        await asyncio.to_thread(run_state_machine_as_test, machine, settings=SETTINGS)
    assert len(world.examples) >= 10
    assert world.exchanges, "no set in two currencies posted: the strategy misses them"
    report = await verify_ledger(db)
    assert report.ok, report.problems
