"""A hypothesis state machine over the service layer, checking the ledger after every step.

Rules: deposit, withdraw (staff and the owner), transfer, multi-leg transactions (staff and the
owner; now and then with a leg in a second currency, EUR, as a currency exchange has), hold,
capture, void, reverse, overdraft-limit changes, freeze/unfreeze, the clock moving and the
expiry sweep. A model
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
from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.core.errors import CorebankError
from corebank.core.money import format_amount
from corebank.identity.deps import Principal
from corebank.ledger import holds, multileg, reversal, service
from corebank.ledger.context import LedgerContext
from corebank.ledger.verify import verify_ledger
from corebank.models import Account, Hold, JournalEntry, Posting
from tests.ledger.helpers import insert_customer, service_actor, service_contexts

T = TypeVar("T")
CREDIT_LIMIT = 10_000
AMOUNTS = st.integers(min_value=1, max_value=15_000)
LEG_COUNTS = st.integers(min_value=2, max_value=4)
LEG_AMOUNTS = st.integers(min_value=1, max_value=5_000)
SETTINGS = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


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
        return self.live(hold) and not self.accounts[hold.account].frozen and amount <= hold.amount

    def can_set_limit(self, account_id: int, limit: int) -> bool:
        balance = self.accounts[account_id].balance
        return limit <= CREDIT_LIMIT and balance - self.effective_held(account_id) >= -limit

    # --- effects of a step that succeeded ----------------------------------------------------

    def post(self, entry_id: int, legs: dict[int, int], *, reversible: bool = True) -> None:
        self.entries.append(ModelEntry(entry_id, legs, reversible))
        for account_id, amount in legs.items():
            self.accounts[account_id].balance += amount

    def spent(self, account_id: int, entry_id: int, legs: dict[int, int]) -> None:
        """Money left `account_id`: the service lapsed its due holds and posted `legs`."""
        self.expire(account_id)
        self.post(entry_id, legs)

    def place_hold(self, hold_id: int, account_id: int, amount: int, ttl: int) -> None:
        self.accounts[account_id].held += amount
        expires_at = self.clock.now() + timedelta(seconds=ttl)
        self.holds[hold_id] = ModelHold(hold_id, account_id, amount, expires_at)

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
            self.model.spent(account_id, outcome.body["id"], {account_id: -amount})

    @rule(data=st.data(), amount=AMOUNTS)
    def transfer(self, data: st.DataObject, amount: int) -> None:
        source = self.usd_account(data)
        target = data.draw(st.sampled_from(sorted(self.model.accounts)))
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
            self.model.spent(source, outcome.body["id"], {source: -amount, target: amount})

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
        if len({self.model.accounts[source].currency for source, _, _ in legs}) > 1:
            self.world.exchanges.append(outcome.body["id"])
        net: dict[int, int] = {}
        for source, target, amount in legs:
            self.model.expire(source)
            net[source] = net.get(source, 0) - amount
            net[target] = net.get(target, 0) + amount
        self.model.post(outcome.body["id"], net)

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
        outcome = self.attempt(self.model.live(hold), self.call(holds.void_hold, hold_id=hold.id))
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
        self.run(expiry.expire_due_holds(self.world.db, self.world.clock.now()))
        self.model.expire_all()

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def ledger_agrees_with_the_model(self) -> None:
        assert_agrees(self.model, self.run(observe(self.world.db, list(self.model.accounts))))


def make_machine(world: World) -> type[LedgerMachine]:
    """The machine bound to `world` (hypothesis builds a fresh instance per example)."""
    return type("LedgerMachine", (LedgerMachine,), {"world": world})


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
        )
        machine = make_machine(world)
        await asyncio.to_thread(run_state_machine_as_test, machine, settings=SETTINGS)
    assert len(world.examples) >= 10
    assert world.exchanges, "no set in two currencies posted: the strategy misses them"
    report = await verify_ledger(db)
    assert report.ok, report.problems
