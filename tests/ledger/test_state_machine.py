"""A hypothesis state machine over the service layer, checking the ledger after every step.

Rules: deposit, withdraw (staff and the owner), transfer, hold, capture, void, reverse,
overdraft-limit changes, freeze/unfreeze, the clock moving and the expiry sweep. A model
predicts each step's outcome exactly; after every step the database must agree with the
model, every currency must sum to zero, stored balances must equal their postings, held
amounts their open holds, no account may be below its limit (unless a reversal took it
there), and a refused step must have changed nothing at all.
"""

import asyncio
from collections.abc import Awaitable
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

from corebank.accounts import lifecycle
from corebank.accounts import service as accounts
from corebank.auth.deps import Principal
from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.core.errors import CorebankError
from corebank.core.money import format_amount
from corebank.ledger import expiry, holds, reversal, service
from corebank.ledger.verify import verify_ledger
from corebank.models import Account, Hold, JournalEntry, Posting
from tests.ledger.helpers import insert_customer, service_actor

T = TypeVar("T")
CREDIT_LIMIT = 10_000
AMOUNTS = st.integers(min_value=1, max_value=15_000)
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
    examples: list[bool] = field(default_factory=list)


def make_machine(world: World) -> type[RuleBasedStateMachine]:
    class LedgerMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.accounts: dict[int, ModelAccount] = {}
            self.holds: dict[int, ModelHold] = {}
            self.entries: list[ModelEntry] = []
            self.owner, ids = self.run(self._open_accounts())
            for account_id, currency in ids:
                self.accounts[account_id] = ModelAccount(account_id, currency)
            self.usd = [a for a, c in ids if c == "USD"]
            self.refused_snapshot: Any = None
            world.examples.append(True)

        def run(self, coro: Awaitable[T]) -> T:
            return asyncio.run_coroutine_threadsafe(coro, world.loop).result()  # type: ignore[arg-type]

        async def _open_accounts(self) -> tuple[Principal, list[tuple[int, str]]]:
            owner = await service_actor(world.db, "customer")
            ids = []
            for user_id, currency in (
                (owner.user.id, "USD"),
                (None, "USD"),
                (None, "USD"),
                (None, "EUR"),
            ):
                customer = await insert_customer(
                    world.db, user_id=user_id, credit_limit_minor=CREDIT_LIMIT
                )
                account = await accounts.open_account(
                    world.db,
                    actor=world.staff,
                    customer_id=customer.id,
                    type="checking",
                    currency=currency,
                    nickname=None,
                    clock=world.clock,
                )
                ids.append((account.id, currency))
            return owner, ids

        # --- the model's view of time and funds -------------------------------------------

        def due(self, account_id: int) -> list[ModelHold]:
            now = world.clock.now()
            return [
                h
                for h in self.holds.values()
                if h.account == account_id and h.status == "open" and h.expires_at <= now
            ]

        def expire(self, account_id: int) -> None:
            for hold in self.due(account_id):
                hold.status = "expired"
                self.accounts[account_id].held -= hold.amount

        def can_spend(self, account_id: int, amount: int) -> bool:
            a = self.accounts[account_id]
            held = a.held - sum(h.amount for h in self.due(account_id))
            return not a.frozen and a.balance - held - amount >= -a.limit

        # --- executing a step against the service ----------------------------------------

        def attempt(self, expected: bool, coro: Awaitable[Any]) -> Any:
            before = self.run(self.snapshot())
            try:
                result = self.run(coro)
            except CorebankError as exc:
                assert not expected, f"refused unexpectedly: {exc.problem_type} {exc.detail}"
                assert self.run(self.snapshot()) == before, "a refused step changed the ledger"
                return None
            assert expected, "succeeded although the model expected a refusal"
            return result

        async def snapshot(self) -> tuple[Any, ...]:
            async with world.db.session() as session:
                rows = (
                    await session.execute(
                        select(
                            Account.id,
                            Account.balance_minor,
                            Account.held_minor,
                            Account.overdraft_limit_minor,
                            Account.status,
                        ).order_by(Account.id)
                    )
                ).all()
                entries = await session.scalar(select(func.count()).select_from(JournalEntry))
                open_holds = (
                    await session.execute(select(Hold.id, Hold.status).order_by(Hold.id))
                ).all()
            return tuple(rows), entries, tuple(open_holds)

        def record_entry(self, body: dict[str, Any], legs: dict[int, int]) -> None:
            self.entries.append(ModelEntry(body["id"], legs))
            for account_id, amount in legs.items():
                self.accounts[account_id].balance += amount

        # --- rules -------------------------------------------------------------------------

        @rule(data=st.data(), amount=AMOUNTS)
        def deposit(self, data: st.DataObject, amount: int) -> None:
            account = self.accounts[data.draw(st.sampled_from(sorted(self.accounts)))]
            outcome = self.attempt(
                True,
                service.deposit(
                    world.db,
                    actor=world.staff,
                    account_id=account.id,
                    amount=format_amount(amount, account.currency),
                    description=None,
                    clock=world.clock,
                ),
            )
            self.record_entry(outcome.body, {account.id: amount})

        @rule(data=st.data(), amount=AMOUNTS, as_owner=st.booleans())
        def withdraw(self, data: st.DataObject, amount: int, as_owner: bool) -> None:
            account_id = data.draw(st.sampled_from(self.usd))
            actor = self.owner if as_owner else world.staff
            ok = self.can_spend(account_id, amount) and (not as_owner or account_id == self.usd[0])
            outcome = self.attempt(
                ok,
                service.withdraw(
                    world.db,
                    actor=actor,
                    account_id=account_id,
                    amount=format_amount(amount, "USD"),
                    description=None,
                    clock=world.clock,
                ),
            )
            if outcome is not None:
                self.expire(account_id)
                self.record_entry(outcome.body, {account_id: -amount})

        @rule(data=st.data(), amount=AMOUNTS)
        def transfer(self, data: st.DataObject, amount: int) -> None:
            source = data.draw(st.sampled_from(self.usd))
            target = data.draw(st.sampled_from(sorted(self.accounts)))
            ok = (
                source != target
                and self.accounts[target].currency == "USD"
                and self.can_spend(source, amount)
            )
            outcome = self.attempt(
                ok,
                service.transfer(
                    world.db,
                    actor=world.staff,
                    from_account_id=source,
                    to_account_id=target,
                    to_account_number=None,
                    amount=format_amount(amount, "USD"),
                    description=None,
                    clock=world.clock,
                ),
            )
            if outcome is not None:
                self.expire(source)
                self.record_entry(outcome.body, {source: -amount, target: amount})

        @rule(data=st.data(), amount=AMOUNTS, ttl=st.integers(min_value=1, max_value=600))
        def hold(self, data: st.DataObject, amount: int, ttl: int) -> None:
            account_id = data.draw(st.sampled_from(self.usd))
            outcome = self.attempt(
                self.can_spend(account_id, amount),
                holds.create_hold(
                    world.db,
                    actor=world.staff,
                    account_id=account_id,
                    amount=format_amount(amount, "USD"),
                    description=None,
                    expires_in_seconds=ttl,
                    clock=world.clock,
                ),
            )
            if outcome is not None:
                self.expire(account_id)
                self.accounts[account_id].held += amount
                self.holds[outcome.body["id"]] = ModelHold(
                    outcome.body["id"],
                    account_id,
                    amount,
                    world.clock.now() + timedelta(seconds=ttl),
                )

        def live(self, hold: ModelHold) -> bool:
            return hold.status == "open" and hold.expires_at > world.clock.now()

        @precondition(lambda self: self.holds)
        @rule(data=st.data(), part=st.none() | st.integers(min_value=1, max_value=15_000))
        def capture(self, data: st.DataObject, part: int | None) -> None:
            hold = self.holds[data.draw(st.sampled_from(sorted(self.holds)))]
            amount = hold.amount if part is None else part
            ok = (
                self.live(hold) and not self.accounts[hold.account].frozen and amount <= hold.amount
            )
            outcome = self.attempt(
                ok,
                holds.capture_hold(
                    world.db,
                    actor=world.staff,
                    hold_id=hold.id,
                    amount=None if part is None else format_amount(part, "USD"),
                    clock=world.clock,
                ),
            )
            if outcome is not None:
                hold.status = "captured"
                self.accounts[hold.account].held -= hold.amount
                self.record_entry(outcome.body["transaction"], {hold.account: -amount})

        @precondition(lambda self: self.holds)
        @rule(data=st.data())
        def void(self, data: st.DataObject) -> None:
            hold = self.holds[data.draw(st.sampled_from(sorted(self.holds)))]
            outcome = self.attempt(
                self.live(hold),
                holds.void_hold(world.db, actor=world.staff, hold_id=hold.id, clock=world.clock),
            )
            if outcome is not None:
                hold.status = "voided"
                self.accounts[hold.account].held -= hold.amount

        @precondition(lambda self: self.entries)
        @rule(data=st.data())
        def reverse(self, data: st.DataObject) -> None:
            entry = data.draw(st.sampled_from(self.entries))
            outcome = self.attempt(
                entry.reversible,
                reversal.reverse(
                    world.db,
                    actor=world.admin,
                    entry_id=entry.id,
                    reason="test",
                    clock=world.clock,
                ),
            )
            if outcome is not None:
                entry.reversible = False
                legs = {a: -m for a, m in entry.legs.items()}
                self.record_entry(outcome.body, legs)
                self.entries[-1].reversible = False
                for account_id, amount in legs.items():
                    if amount < 0:
                        self.accounts[account_id].reversed_out = True

        @rule(data=st.data(), limit=st.integers(min_value=0, max_value=CREDIT_LIMIT + 2_000))
        def set_limit(self, data: st.DataObject, limit: int) -> None:
            account_id = data.draw(st.sampled_from(self.usd))
            a = self.accounts[account_id]
            held = a.held - sum(h.amount for h in self.due(account_id))
            ok = limit <= CREDIT_LIMIT and a.balance - held >= -limit
            outcome = self.attempt(
                ok,
                lifecycle.update_account(
                    world.db,
                    actor=world.staff,
                    account_id=account_id,
                    changes={"overdraft_limit": format_amount(limit, "USD")},
                    clock=world.clock,
                ),
            )
            if outcome is not None:
                self.expire(account_id)
                a.limit = limit

        @rule(data=st.data())
        def toggle_freeze(self, data: st.DataObject) -> None:
            account = self.accounts[data.draw(st.sampled_from(sorted(self.accounts)))]
            status = "active" if account.frozen else "frozen"
            self.attempt(
                True,
                lifecycle.update_account(
                    world.db,
                    actor=world.staff,
                    account_id=account.id,
                    changes={"status": status},
                    clock=world.clock,
                ),
            )
            account.frozen = not account.frozen

        @rule(seconds=st.integers(min_value=1, max_value=400))
        def time_passes(self, seconds: int) -> None:
            world.clock.advance(seconds=seconds)

        @rule()
        def sweep(self) -> None:
            self.run(expiry.expire_due_holds(world.db, world.clock.now()))
            for account_id in self.accounts:
                self.expire(account_id)

        # --- invariants --------------------------------------------------------------------

        @invariant()
        def ledger_agrees_with_the_model(self) -> None:
            state = self.run(self.state())
            for account in self.accounts.values():
                balance, held, limit, posted, open_holds = state["accounts"][account.id]
                assert (balance, held, limit) == (account.balance, account.held, account.limit)
                assert posted == balance, "stored balance differs from its postings"
                assert open_holds == held, "held differs from the open holds"
                if not account.reversed_out:
                    assert balance - held >= -limit, "below the overdraft limit"
            assert all(total == 0 for total in state["currencies"]), state["currencies"]

        async def state(self) -> dict[str, Any]:
            ids = list(self.accounts)
            async with world.db.session() as session:
                posted = dict(
                    (
                        await session.execute(
                            select(Posting.account_id, func.sum(Posting.amount_minor))
                            .where(Posting.account_id.in_(ids))
                            .group_by(Posting.account_id)
                        )
                    ).all()
                )
                held = dict(
                    (
                        await session.execute(
                            select(Hold.account_id, func.sum(Hold.amount_minor))
                            .where(Hold.account_id.in_(ids), Hold.status == "open")
                            .group_by(Hold.account_id)
                        )
                    ).all()
                )
                rows = (
                    await session.execute(
                        select(
                            Account.id,
                            Account.balance_minor,
                            Account.held_minor,
                            Account.overdraft_limit_minor,
                        ).where(Account.id.in_(ids))
                    )
                ).all()
                currencies = (
                    await session.scalars(
                        select(func.sum(Posting.amount_minor))
                        .join(Account, Account.id == Posting.account_id)
                        .group_by(Account.currency)
                    )
                ).all()
            return {
                "accounts": {
                    r[0]: (r[1], r[2], r[3], posted.get(r[0], 0), held.get(r[0], 0)) for r in rows
                },
                "currencies": currencies,
            }

    return LedgerMachine


async def test_ledger_state_machine(db: Database) -> None:
    world = World(
        db=db,
        loop=asyncio.get_running_loop(),
        clock=FrozenClock(),
        staff=await service_actor(db, "staff"),
        admin=await service_actor(db, "admin"),
    )
    machine = make_machine(world)
    await asyncio.to_thread(run_state_machine_as_test, machine, settings=SETTINGS)
    assert len(world.examples) >= 10
    report = await verify_ledger(db)
    assert report.ok, report.problems
