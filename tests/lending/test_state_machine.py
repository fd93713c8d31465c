"""A hypothesis state machine over lending's services, with a frozen clock: loans are lent
(applied, approved, disbursed), repaid partly, exactly what is due, with a prepayment, in full
or too much, time passes and the sweep runs. Each repayment's outcome is predicted from the
loan's installments and payoff quote; after every step:

- each loan's outstanding principal is its amount less the principal its repayments paid;
- the portfolio account is minus the sum of outstanding principal; interest and fee income are
  what the repayments paid of each;
- no installment has more paid of its fee, interest or principal than it owes, and a loan's
  installments' principal plus what was prepaid beyond them sums to its amount (also after a
  prepayment recomputed them);
- a refused repayment changed nothing.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
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

from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.core.money import format_amount
from corebank.identity.principal import Principal
from corebank.ledger.verify import verify_ledger
from corebank.lending import delinquency, money, service
from corebank.lending.context import LendingContext
from corebank.lending.errors import RepaymentRefused
from corebank.lending.schemas import LoanIn, ProductIn
from corebank.models import Account, Loan, LoanInstallment, LoanRepayment
from tests.ledger.helpers import insert_customer, service_actor, service_contexts

T = TypeVar("T")
SETTINGS = settings(
    max_examples=12,
    stateful_step_count=25,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@dataclass
class World:
    db: Database
    loop: asyncio.AbstractEventLoop
    clock: FrozenClock
    staff: Principal
    admin: Principal
    lending: LendingContext
    open_account: Any
    outcomes: list[str] = field(default_factory=list)


class LendingMachine(RuleBasedStateMachine):
    world: World

    def __init__(self) -> None:
        super().__init__()
        self.loans: list[int] = []
        self.product_id, self.customer_id, self.account_id = self.run(self.setup())

    def run(self, coro: Awaitable[T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.world.loop).result()  # type: ignore[arg-type]

    async def setup(self) -> tuple[int, int, int]:
        product = await service.create_product(
            self.world.lending,
            actor=self.world.admin,
            body=ProductIn(
                name=f"machine-{uuid.uuid4().hex}",
                currency="USD",
                annual_rate="12.00",
                min_term_months=3,
                max_term_months=12,
                min_amount="100.00",
                max_amount="5000.00",
                late_fee="5.00",
                late_fee_tolerance_days=3,
            ),
        )
        customer = await insert_customer(self.world.db, credit_limit_minor=10_000_000)
        account = await self.world.open_account(customer.id)
        return product.id, customer.id, account

    # --- rules --------------------------------------------------------------------------------

    @rule(amount=st.integers(min_value=100, max_value=5000), term=st.integers(3, 12))
    def lend(self, amount: int, term: int) -> None:
        """Apply, approve and disburse a loan (each step is tested elsewhere: here, money)."""
        ctx, staff = self.world.lending, self.world.staff

        async def lend() -> int:
            loan = await service.apply(
                ctx,
                actor=staff,
                body=LoanIn(
                    product_id=self.product_id,
                    customer_id=self.customer_id,
                    amount=f"{amount}.00",
                    term_months=term,
                    account_id=self.account_id,
                ),
            )
            await service.approve(ctx, checker=self.world.admin, loan_id=loan.id, reason="ok")
            await money.disburse(ctx, actor=staff, loan_id=loan.id)
            return loan.id

        self.loans.append(self.run(lend()))

    @precondition(lambda self: self.active())
    @rule(data=st.data(), kind=st.sampled_from(["part", "due", "prepay", "payoff", "too_much"]))
    def repay(self, data: st.DataObject, kind: str) -> None:
        """A cash repayment (staff): part of what is due, exactly it, it and some principal,
        the payoff quote, or more than the quote; the outcome is predicted."""
        loan_id = data.draw(st.sampled_from(self.active()))
        due, future, payoff = self.run(self.owed(loan_id))
        accrued = payoff - due - future  # interest since the last due date, not yet due
        amount = {
            "part": max(1, due // 2),
            "due": max(1, due),
            "prepay": due + accrued + max(1, future // 3),
            "payoff": payoff,
            "too_much": payoff + 1,
        }[kind]
        prepays = future > 0 and accrued < amount - due < accrued + future
        accepted = amount <= payoff and (amount == payoff or amount <= due or prepays)
        before = self.run(self.snapshot())
        try:
            self.run(
                money.repay(
                    self.world.lending,
                    actor=self.world.staff,
                    loan_id=loan_id,
                    amount=format_amount(amount, "USD"),
                    from_account_id=None,
                    cash=True,
                )
            )
        except RepaymentRefused:
            assert not accepted, f"{kind} {amount} refused (due {due}, future {future})"
            assert self.run(self.snapshot()) == before, "a refused repayment changed something"
            self.world.outcomes.append("refused")
            return
        assert accepted, f"{kind} {amount} accepted (due {due}, future {future}, payoff {payoff})"
        self.world.outcomes.append("paid_off" if amount == payoff else kind)

    @rule(days=st.integers(min_value=1, max_value=45))
    def time_passes(self, days: int) -> None:
        self.world.clock.advance(days=days)

    @rule()
    def sweep(self) -> None:
        self.run(delinquency.sweep(self.world.db, now=self.world.clock.now()))

    # --- what the loans owe --------------------------------------------------------------------

    def active(self) -> list[int]:
        return [i for i in self.loans if self.run(self.status(i)) == "active"]

    async def status(self, loan_id: int) -> str:
        async with self.world.db.read() as session:
            return str((await session.get(Loan, loan_id)).status)  # type: ignore[union-attr]

    async def owed(self, loan_id: int) -> tuple[int, int, int]:
        """(what is due today, the principal of the installments after today, the payoff), as
        the payoff quote says (late fees due by today counted)."""
        quote = await money.quote(self.world.lending, actor=self.world.staff, loan_id=loan_id)
        return tuple(  # type: ignore[return-value]
            int(text.replace(".", "")) for text in (quote.due, quote.principal_not_due, quote.total)
        )

    async def snapshot(self) -> tuple[Any, ...]:
        async with self.world.db.read() as session:
            loans = (
                await session.execute(
                    select(Loan.id, Loan.principal_outstanding_minor, Loan.status).order_by(Loan.id)
                )
            ).all()
            rows = (
                await session.execute(
                    select(
                        LoanInstallment.id,
                        LoanInstallment.paid_principal_minor,
                        LoanInstallment.paid_interest_minor,
                        LoanInstallment.paid_fee_minor,
                    ).order_by(LoanInstallment.id)
                )
            ).all()
            repaid = await session.scalar(select(func.count()).select_from(LoanRepayment))
        return tuple(loans), tuple(rows), repaid

    # --- invariants -----------------------------------------------------------------------------

    @invariant()
    def the_books_agree_with_the_loans(self) -> None:
        self.run(check_books(self.world.db))


async def check_books(db: Database) -> None:
    async with db.read() as session:
        loans = (await session.scalars(select(Loan))).all()
        repaid = dict(
            (
                await session.execute(
                    select(
                        LoanRepayment.loan_id,
                        func.sum(LoanRepayment.principal_minor),
                    ).group_by(LoanRepayment.loan_id)
                )
            ).all()
        )
        totals = (
            await session.execute(
                select(
                    func.coalesce(func.sum(LoanRepayment.interest_minor), 0),
                    func.coalesce(func.sum(LoanRepayment.fee_minor), 0),
                )
            )
        ).one()
        internal = dict(
            (
                await session.execute(
                    select(Account.kind, Account.balance_minor).where(
                        Account.kind.in_(["loan_portfolio", "interest_income", "fee_income"])
                    )
                )
            ).all()
        )
        rows = (await session.scalars(select(LoanInstallment))).all()
    outstanding = 0
    scheduled: dict[int, int] = {}
    paid_in_installments: dict[int, int] = {}
    for row in rows:
        assert row.paid_fee_minor <= row.fee_minor, "a fee was paid more than it owed"
        assert row.paid_interest_minor <= row.interest_minor, "interest paid more than owed"
        assert row.paid_principal_minor <= row.principal_minor, "principal paid more than owed"
        scheduled[row.loan_id] = scheduled.get(row.loan_id, 0) + row.principal_minor
        paid = paid_in_installments.get(row.loan_id, 0) + row.paid_principal_minor
        paid_in_installments[row.loan_id] = paid
    for loan in loans:
        if loan.disbursed_at is None:
            continue
        principal_repaid = int(repaid.get(loan.id, 0))
        assert loan.principal_outstanding_minor == loan.amount_minor - principal_repaid
        prepaid = principal_repaid - paid_in_installments.get(loan.id, 0)
        assert scheduled[loan.id] + prepaid == loan.amount_minor, "installments' principal differs"
        outstanding += loan.principal_outstanding_minor
    assert internal.get("loan_portfolio", 0) == -outstanding
    assert internal.get("interest_income", 0) == int(totals[0])
    assert internal.get("fee_income", 0) == int(totals[1])


def make_machine(world: World) -> type[LendingMachine]:
    return type("LendingMachine", (LendingMachine,), {"world": world})


async def test_lending_state_machine(db: Database) -> None:
    from corebank.accounts import service as accounts

    clock = FrozenClock()
    async with service_contexts(db, clock) as container:
        staff = await service_actor(db, "staff")

        async def open_account(customer_id: int) -> int:
            account = await accounts.open_account(
                container.accounts,
                actor=staff,
                customer_id=customer_id,
                type="checking",
                currency="USD",
                nickname=None,
            )
            return account.id

        world = World(
            db=db,
            loop=asyncio.get_running_loop(),
            clock=clock,
            staff=staff,
            admin=await service_actor(db, "admin"),
            lending=container.lending,
            open_account=open_account,
        )
        await asyncio.to_thread(run_state_machine_as_test, make_machine(world), settings=SETTINGS)
    assert world.outcomes, "no repayment was tried: the strategy misses them"
    report = await verify_ledger(db)
    assert report.ok, report.problems
