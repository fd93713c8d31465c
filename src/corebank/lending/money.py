"""A loan's money on the ledger: disbursement, repayments, the payoff quote, the schedule and
the statement (docs/lending.md).

Every cent is a posting. Disbursement debits the currency's loan portfolio account and credits
the customer; a repayment debits the paying account (or the settlement account, for cash) and
credits fee income, interest income and the portfolio, as it was allocated. So the portfolio's
balance is minus the sum of the loans' outstanding principal, which a test checks.

Locks: the loan row first, then the accounts (in id order); nothing locks them the other way
round, so two repayments of one loan take turns and never count an allocation twice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.errors import ValidationFailed, field_error
from corebank.core.money import format_amount, parse_amount
from corebank.identity.principal import Principal
from corebank.ledger import idempotency
from corebank.ledger import repository as ledger
from corebank.ledger.idempotency import IdempotencyRequest, Outcome
from corebank.ledger.posting import post, releasable_held, require_funds, require_open
from corebank.ledger.service import PinCheck, check_pin
from corebank.lending import repository
from corebank.lending.context import LendingContext
from corebank.lending.delinquency import assess, charge_late_fees
from corebank.lending.errors import LoanNotFound, LoanState, RepaymentRefused
from corebank.lending.schedule import (
    DueItem,
    Installment,
    accrued_interest,
    allocate,
    apply_prepayment,
    build_schedule,
    payoff_quote,
)
from corebank.lending.schemas import (
    AllocationOut,
    InstallmentOut,
    QuoteOut,
    RepaymentOut,
    ScheduleOut,
    StatementLine,
    StatementOut,
)
from corebank.lending.service import loan_out, record, terms_of, visible_loan
from corebank.models.account import AccountKind
from corebank.models.ledger import EntryType
from corebank.models.loan import Loan, LoanInstallment, LoanRepayment, LoanStatus

CREATED = 201


# --- disbursement -----------------------------------------------------------------------------


async def disburse(
    ctx: LendingContext,
    *,
    actor: Principal,
    loan_id: int,
    idempotency_request: IdempotencyRequest | None = None,
) -> Outcome:
    """Pay an approved loan out, once: portfolio -> the customer's account; the schedule is
    fixed from today and the loan becomes active."""

    async def work(session: AsyncSession) -> dict[str, Any]:
        loan = await _loan(session, loan_id, for_update=True)
        if loan.status != LoanStatus.approved:
            raise LoanState(f"The loan is {loan.status}: only an approved loan is disbursed.")
        accounts = await ledger.lock_accounts(session, [loan.account_id])
        require_open(accounts[loan.account_id], money_out=False)
        now = ctx.clock.now()
        portfolio = await ledger.internal_account_id(
            session, AccountKind.loan_portfolio, loan.currency, now=now
        )
        posted = await post(
            session,
            actor=actor,
            type=EntryType.loan_disbursal,
            currency=loan.currency,
            amount=loan.amount_minor,
            legs=[(portfolio, -loan.amount_minor), (loan.account_id, loan.amount_minor)],
            accounts=accounts,
            description=f"Loan {loan.id} disbursed",
            now=now,
        )
        schedule = build_schedule(terms_of(loan, disbursed_on=now.date()))
        await repository.add_installments(session, [_row(loan.id, row) for row in schedule])
        loan.status, loan.disbursed_at, loan.disbursement_entry_id = (
            LoanStatus.active,
            now,
            posted.id,
        )
        loan.principal_outstanding_minor = loan.amount_minor
        await session.flush()
        record(session, "loan.disbursed", loan, actor_id=actor.user.id, transaction_id=posted.id)
        return loan_out(loan).model_dump(mode="json")

    return await idempotency.execute(
        ctx.ledger, request=idempotency_request, work=work, status=CREATED, kind="loan_disbursal"
    )


def _row(loan_id: int, installment: Installment) -> dict[str, Any]:
    return {
        "loan_id": loan_id,
        "number": installment.number,
        "due_on": installment.due_on,
        "principal_minor": installment.principal,
        "interest_minor": installment.interest,
        "fee_minor": installment.fee,
        "paid_principal_minor": 0,
        "paid_interest_minor": 0,
        "paid_fee_minor": 0,
    }


async def _loan(session: AsyncSession, loan_id: int, *, for_update: bool = False) -> Loan:
    loan = await repository.loan(session, loan_id, for_update=for_update)
    if loan is None:
        raise LoanNotFound("No such loan.")
    return loan


# --- what is owed ---------------------------------------------------------------------------


def _owed(row: LoanInstallment) -> DueItem:
    return DueItem(
        number=row.number,
        fee=row.fee_minor - row.paid_fee_minor,
        interest=row.interest_minor - row.paid_interest_minor,
        principal=row.principal_minor - row.paid_principal_minor,
    )


def _settled(row: LoanInstallment) -> bool:
    item = _owed(row)
    return item.fee == item.interest == item.principal == 0


def _due(rows: Sequence[LoanInstallment], today: date) -> list[LoanInstallment]:
    """The installments due on or before today and not fully paid, oldest first."""
    return [row for row in rows if row.due_on <= today and not _settled(row)]


def _accrual_start(loan: Loan, rows: Sequence[LoanInstallment], today: date) -> date:
    """Interest beyond what is due accrues from the last due date (or the disbursement)."""
    passed = [row.due_on for row in rows if row.due_on <= today]
    assert loan.disbursed_at is not None
    return max(passed, default=loan.disbursed_at.date())


def _quote(loan: Loan, rows: Sequence[LoanInstallment], today: date) -> Any:
    """The payoff today: what is due, the principal after it, and interest accrued since the
    last due date on the principal not yet due. Past the last installment nothing accrues
    (no default interest): paying what is due is then the payoff."""
    due = [_owed(row) for row in _due(rows, today)]
    assert loan.disbursed_at is not None
    start = _accrual_start(loan, rows, today)
    return payoff_quote(
        terms_of(loan, disbursed_on=loan.disbursed_at.date()),
        outstanding_principal=loan.principal_outstanding_minor,
        unpaid_interest=sum(item.interest for item in due),
        unpaid_fees=sum(item.fee for item in due),
        accrued_from=start,
        on=today if _future(rows, today) else start,
    )


def _accrued(loan: Loan, rows: Sequence[LoanInstallment], today: date, principal: int) -> int:
    """Interest on `principal` since the last due date (or the disbursement), to today."""
    start = _accrual_start(loan, rows, today)
    return accrued_interest(
        principal,
        Decimal(loan.annual_rate) / 100,
        loan.day_count,
        start,
        today,  # type: ignore[arg-type]
    )


async def quote(ctx: LendingContext, *, actor: Principal, loan_id: int) -> QuoteOut:
    """What pays the loan off today, and what of it is due now (late fees due by today
    counted, as a repayment today would charge them; nothing is written)."""
    async with ctx.db.read() as session:
        loan = await visible_loan(session, actor, loan_id)
        _require_active(loan)
        rows = await repository.installments(session, loan.id)
        product = await repository.product(session, loan.product_id)
        assert product is not None
        today = ctx.clock.now().date()
        charge_late_fees(product, rows, today)  # on these copies only: never flushed
        session.expunge_all()
    found = _quote(loan, rows, today)
    due = sum(item.fee + item.interest + item.principal for item in map(_owed, _due(rows, today)))
    money = lambda minor: format_amount(minor, loan.currency)  # noqa: E731
    return QuoteOut(
        loan_id=loan.id,
        on=today,
        principal=money(found.principal),
        interest=money(found.interest),
        fees=money(found.fees),
        total=money(found.total),
        due=money(due),
        principal_not_due=money(sum(row.principal_minor for row in _future(rows, today))),
    )


def _require_active(loan: Loan) -> None:
    if loan.status != LoanStatus.active:
        raise LoanState(f"The loan is {loan.status}, not active.")


# --- repayments -------------------------------------------------------------------------------


async def repay(
    ctx: LendingContext,
    *,
    actor: Principal,
    loan_id: int,
    amount: str,
    from_account_id: int | None,
    cash: bool,
    pin: PinCheck | None = None,
    idempotency_request: IdempotencyRequest | None = None,
) -> Outcome:
    """Take a repayment (docs/lending.md, "Repayments"): what is due first, oldest installment
    first, its fee, interest, then principal; the rest prepays principal (the installment amount
    is kept and the term shortens); exactly the payoff quote pays the loan off; more than that
    is refused. From the customer's account (the loan's, or another of theirs), or cash (staff)."""
    await check_pin(ctx.ledger, actor=actor, pin=pin)
    if cash and not actor.is_staff:
        raise RepaymentRefused(
            "Only staff take cash.", errors=[field_error(["body", "cash"], "staff only")]
        )

    async def work(session: AsyncSession) -> dict[str, Any]:
        loan = await visible_loan(session, actor, loan_id, for_update=True)
        _require_active(loan)
        minor = _parse(amount, loan.currency)
        now = ctx.clock.now()
        source = await _source(session, ctx, loan, actor, from_account_id, cash, minor, now)
        rows = await repository.installments(session, loan.id, for_update=True)
        await _charge_late_fees(session, loan, rows, now.date())
        split = await _split(session, loan, rows, minor, now.date())
        entry_id = await _post(session, ctx, loan, actor, source, split, now)
        repayment = await _keep(session, loan, actor, entry_id, minor, split, now)
        return repayment.model_dump(mode="json")

    return await idempotency.execute(
        ctx.ledger, request=idempotency_request, work=work, status=CREATED, kind="loan_repayment"
    )


async def _charge_late_fees(
    session: AsyncSession, loan: Loan, rows: Sequence[LoanInstallment], today: date
) -> None:
    """The late fees due by today, as the sweep would charge them: what a late payer owes does
    not depend on when the sweep last ran."""
    product = await repository.product(session, loan.product_id)
    assert product is not None
    if charge_late_fees(product, rows, today):
        await session.flush()


def _parse(amount: str, currency: str) -> int:
    try:
        return parse_amount(amount, currency)
    except ValueError as exc:
        raise ValidationFailed(
            str(exc), errors=[field_error(["body", "amount"], str(exc))]
        ) from None


async def _source(
    session: AsyncSession,
    ctx: LendingContext,
    loan: Loan,
    actor: Principal,
    from_account_id: int | None,
    cash: bool,
    minor: int,
    now: Any,
) -> tuple[int, dict[int, Any]]:
    """The paying account (locked, funds checked), or the settlement account for cash."""
    if cash:
        return await ledger.settlement_account_id(session, loan.currency, now=now), {}
    account_id = from_account_id or loan.account_id
    found = await repository.account(session, account_id)
    if found is None or found.kind != AccountKind.customer or found.customer_id != loan.customer_id:
        raise RepaymentRefused(
            "A loan is repaid from an account of its customer.",
            errors=[field_error(["body", "from_account_id"], "not an account of the customer")],
        )
    if found.currency != loan.currency:
        raise RepaymentRefused(
            f"The loan is in {loan.currency}.",
            errors=[field_error(["body", "from_account_id"], f"not in {loan.currency}")],
        )
    accounts = await ledger.lock_accounts(session, [account_id])
    account = accounts[account_id]
    require_open(account, money_out=True)
    held = await releasable_held(session, account, now=now)
    require_funds(account, held=held, amount=minor)
    return account_id, accounts


@dataclass
class _Split:
    """How a repayment was allocated: per installment, then beyond them (prepaid principal,
    or the payoff's remaining principal and accrued interest)."""

    parts: list[AllocationOut]
    fee: int = 0
    interest: int = 0
    principal: int = 0

    def add(
        self, number: int | None, fee: int, interest: int, principal: int, currency: str
    ) -> None:
        self.fee, self.interest, self.principal = (
            self.fee + fee,
            self.interest + interest,
            self.principal + principal,
        )
        self.parts.append(
            AllocationOut(
                installment=number,
                fee=format_amount(fee, currency),
                interest=format_amount(interest, currency),
                principal=format_amount(principal, currency),
            )
        )


async def _split(
    session: AsyncSession, loan: Loan, rows: list[LoanInstallment], minor: int, today: date
) -> _Split:
    """Allocate `minor` to what is due, then pay off or prepay with the rest."""
    quote = _quote(loan, rows, today)
    if minor > quote.total:
        shown = format_amount(quote.total, loan.currency)
        raise RepaymentRefused(
            f"That is more than the loan's payoff today ({shown}).",
            errors=[field_error(["body", "amount"], f"above the payoff {shown}")],
        )
    split = _Split(parts=[])
    due = _due(rows, today)
    allocation = allocate(minor, [_owed(row) for row in due])
    for part, row in zip(allocation.parts, due, strict=True):
        row.paid_fee_minor += part.fee
        row.paid_interest_minor += part.interest
        row.paid_principal_minor += part.principal
        split.add(part.number, part.fee, part.interest, part.principal, loan.currency)
    rest = allocation.remainder
    if rest and minor == quote.total:
        remaining = loan.principal_outstanding_minor - split.principal
        await _pay_off(session, loan, rows, today, principal=remaining, interest=rest - remaining)
        split.add(None, 0, rest - remaining, remaining, loan.currency)
    elif rest:
        accrued = await _prepay(session, loan, rows, rest, today, quote_total=quote.total)
        split.add(None, 0, accrued, rest - accrued, loan.currency)
    await session.flush()
    return split


def _future(rows: Sequence[LoanInstallment], today: date) -> list[LoanInstallment]:
    return [row for row in rows if row.due_on > today]


async def _pay_off(
    session: AsyncSession,
    loan: Loan,
    rows: Sequence[LoanInstallment],
    today: date,
    *,
    principal: int,
    interest: int,
) -> None:
    """The future installments give way to one, due and paid today: the remaining principal
    and the interest accrued since the last due date."""
    kept = [row.number for row in rows if row.due_on <= today]
    last = max(kept, default=0)
    await repository.delete_unpaid_installments_after(session, loan.id, last)
    if principal or interest:
        await repository.add_installments(
            session,
            [
                {
                    "loan_id": loan.id,
                    "number": last + 1,
                    "due_on": today,
                    "principal_minor": principal,
                    "interest_minor": interest,
                    "fee_minor": 0,
                    "paid_principal_minor": principal,
                    "paid_interest_minor": interest,
                    "paid_fee_minor": 0,
                }
            ],
        )


async def _prepay(
    session: AsyncSession,
    loan: Loan,
    rows: Sequence[LoanInstallment],
    extra: int,
    today: date,
    *,
    quote_total: int,
) -> int:
    """Beyond what is due: first the interest accrued since the last due date on the principal
    not yet due, then extra principal; the future installments are recomputed (same
    installment amount, fewer of them), the next one charging interest only from today on the
    smaller balance. Returns the accrued interest paid. Refused, naming the payoff, when the
    rest does not get past the accrued interest, or would repay all the principal (that is
    the payoff)."""
    future = _future(rows, today)
    left = sum(row.principal_minor for row in future)
    accrued = _accrued(loan, rows, today, left) if future else 0
    if not future or extra <= accrued or extra - accrued >= left:
        shown = format_amount(quote_total, loan.currency)
        owed = format_amount(accrued, loan.currency)
        raise RepaymentRefused(
            f"That pays more than is due but does not prepay part of the principal: pay what "
            f"is due, that plus more than the interest accrued since the last due date "
            f"({owed}) and less than the payoff, or the payoff ({shown}).",
            errors=[
                field_error(["body", "amount"], f"between the due amount and the payoff {shown}")
            ],
        )
    assert loan.disbursed_at is not None
    terms = terms_of(loan, disbursed_on=loan.disbursed_at.date())
    recast = apply_prepayment(
        terms,
        _as_installments(future),
        extra - accrued,
        period_start=_accrual_start(loan, rows, today),
    )
    recast[0] = _from_today(loan, recast[0], today, left - (extra - accrued))
    await repository.delete_unpaid_installments_after(session, loan.id, future[0].number - 1)
    await repository.add_installments(session, [_row(loan.id, row) for row in recast])
    return accrued


def _from_today(loan: Loan, first: Installment, today: date, balance: int) -> Installment:
    """The next installment after a prepayment: the interest up to today was paid with it, so
    this one charges interest on the new balance from today to its due date."""
    interest = accrued_interest(
        balance,
        Decimal(loan.annual_rate) / 100,
        loan.day_count,
        today,
        first.due_on,  # type: ignore[arg-type]
    )
    return replace(first, interest=interest, total=first.principal + first.fee + interest)


def _as_installments(rows: Sequence[LoanInstallment]) -> list[Installment]:
    """Stored installments as the schedule module sees them (the remaining principal after
    each, counting only `rows`)."""
    left = sum(row.principal_minor for row in rows)
    shown = []
    for row in rows:
        left -= row.principal_minor
        shown.append(
            Installment(
                number=row.number,
                due_on=row.due_on,
                principal=row.principal_minor,
                interest=row.interest_minor,
                fee=row.fee_minor,
                total=row.principal_minor + row.interest_minor + row.fee_minor,
                remaining_principal=left,
            )
        )
    return shown


async def _post(
    session: AsyncSession,
    ctx: LendingContext,
    loan: Loan,
    actor: Principal,
    source: tuple[int, dict[int, Any]],
    split: _Split,
    now: Any,
) -> int:
    """Debit the payer; credit fee income, interest income and the portfolio as allocated."""
    payer, accounts = source
    legs = [(payer, -(split.fee + split.interest + split.principal))]
    for kind, amount in (
        (AccountKind.fee_income, split.fee),
        (AccountKind.interest_income, split.interest),
        (AccountKind.loan_portfolio, split.principal),
    ):
        if amount:
            account_id = await ledger.internal_account_id(session, kind, loan.currency, now=now)
            legs.append((account_id, amount))
    posted = await post(
        session,
        actor=actor,
        type=EntryType.loan_repayment,
        currency=loan.currency,
        amount=-legs[0][1],
        legs=legs,
        accounts=accounts,
        description=f"Loan {loan.id} repayment",
        now=now,
    )
    return posted.id


async def _keep(
    session: AsyncSession,
    loan: Loan,
    actor: Principal,
    entry_id: int,
    minor: int,
    split: _Split,
    now: Any,
) -> RepaymentOut:
    """Store the repayment, move the loan on (paid off at zero principal), emit."""
    loan.principal_outstanding_minor -= split.principal
    rows = await repository.installments(session, loan.id)
    assess(loan, rows, now.date())
    repayment = await repository.add(
        session,
        LoanRepayment(
            loan_id=loan.id,
            entry_id=entry_id,
            amount_minor=minor,
            fee_minor=split.fee,
            interest_minor=split.interest,
            principal_minor=split.principal,
            created_by=actor.user.id,
            created_at=now,
        ),
    )
    money = {
        name: format_amount(value, loan.currency)
        for name, value in (
            ("amount", minor),
            ("fee", split.fee),
            ("interest", split.interest),
            ("principal", split.principal),
        )
    }
    record(
        session,
        "loan.repayment_received",
        loan,
        actor_id=actor.user.id,
        repayment_id=repayment.id,
        transaction_id=entry_id,
        allocated={k: v for k, v in money.items() if k != "amount"},
    )
    if loan.principal_outstanding_minor == 0:
        loan.status, loan.paid_off_at = LoanStatus.paid_off, now
        await session.flush()
        record(session, "loan.paid_off", loan, actor_id=actor.user.id)
    await session.flush()
    return RepaymentOut(
        id=repayment.id,
        loan_id=loan.id,
        transaction_id=entry_id,
        allocation=split.parts,
        loan=loan_out(loan),
        **money,
    )


# --- what a customer reads ------------------------------------------------------------------


async def schedule(ctx: LendingContext, *, actor: Principal, loan_id: int) -> ScheduleOut:
    """The schedule: projected from today before disbursement, then as it stands (each
    installment with what has been paid of it)."""
    async with ctx.db.read() as session:
        loan = await visible_loan(session, actor, loan_id)
        rows = await repository.installments(session, loan.id)
    today = ctx.clock.now().date()
    money = lambda minor: format_amount(minor, loan.currency)  # noqa: E731
    if loan.disbursed_at is None:
        projected = build_schedule(terms_of(loan, disbursed_on=today))
        lines = [_line(row, money) for row in projected]
    else:
        lines = _stored_lines(rows, today, money)
    return ScheduleOut(
        loan_id=loan.id,
        currency=loan.currency,
        projected=loan.disbursed_at is None,
        installments=lines,
        total_principal=money(sum(_minor(line.principal, loan.currency) for line in lines)),
        total_interest=money(sum(_minor(line.interest, loan.currency) for line in lines)),
    )


def _minor(text: str, currency: str) -> int:
    return parse_amount(text, currency, allow_zero=True)


def _line(
    row: Installment, money: Any, *, paid: int = 0, status: str = "projected"
) -> InstallmentOut:
    """An installment as the schedule shows it."""
    return InstallmentOut(
        number=row.number,
        due_on=row.due_on,
        principal=money(row.principal),
        interest=money(row.interest),
        fee=money(row.fee),
        total=money(row.total),
        remaining_principal=money(row.remaining_principal),
        paid=money(paid),
        status=status,  # type: ignore[arg-type]
    )


def _stored_lines(rows: Sequence[LoanInstallment], today: date, money: Any) -> list[InstallmentOut]:
    """The stored installments, each with what is paid of it and whether it is paid, overdue
    or due."""
    return [
        _line(
            shown,
            money,
            paid=row.paid_principal_minor + row.paid_interest_minor + row.paid_fee_minor,
            status="paid" if _settled(row) else "overdue" if row.due_on < today else "due",
        )
        for row, shown in zip(rows, _as_installments(rows), strict=True)
    ]


async def statement(ctx: LendingContext, *, actor: Principal, loan_id: int) -> StatementOut:
    """Every disbursement, repayment (with its allocation) and late fee of the loan."""
    async with ctx.db.read() as session:
        loan = await visible_loan(session, actor, loan_id)
        rows = await repository.installments(session, loan.id)
        repayments = await repository.repayments(session, loan.id)
    money = lambda minor: format_amount(minor, loan.currency)  # noqa: E731
    lines: list[StatementLine] = []
    if loan.disbursed_at is not None:
        lines.append(
            StatementLine(
                on=loan.disbursed_at,
                kind="disbursement",
                amount=money(loan.amount_minor),
                transaction_id=loan.disbursement_entry_id,
            )
        )
    lines += [
        StatementLine(
            on=paid.created_at,
            kind="repayment",
            amount=money(paid.amount_minor),
            transaction_id=paid.entry_id,
            fee=money(paid.fee_minor),
            interest=money(paid.interest_minor),
            principal=money(paid.principal_minor),
        )
        for paid in repayments
    ]
    lines += [
        StatementLine(
            on=datetime.combine(row.due_on, time(), tzinfo=UTC),
            kind="late_fee",
            amount=money(row.fee_minor),
            installment=row.number,
        )
        for row in rows
        if row.fee_minor
    ]
    lines.sort(key=lambda line: line.on)
    return StatementOut(loan=loan_out(loan), lines=lines)


def statement_csv(result: StatementOut) -> str:
    """The statement as CSV: one line per movement, the allocation in its own columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = ["on", "kind", "amount", "fee", "interest", "principal", "installment"]
    writer.writerow([*columns, "transaction_id"])
    for line in result.lines:
        shown = line.model_dump(mode="json")
        writer.writerow(
            [shown[c] if shown[c] is not None else "" for c in columns]
            + [shown["transaction_id"] or ""]
        )
    return out.getvalue()
