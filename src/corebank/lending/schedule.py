"""Loan arithmetic: the repayment schedule, payment allocation, prepayment, payoff and delinquency
(docs/lending.md, "Schedules and formulas").

Pure: no database, no I/O, no clock (every date is passed in). Amounts cross the boundary as
integers in the currency's minor units; inside, Decimal at 50 digits, and every amount that
becomes money is rounded once, to a whole minor unit, half-up (`to_minor`). Half-up is what a
spreadsheet's ROUND and the published loan calculators do, so a customer or a clerk can check the
table by hand; half-even's freedom from bias matters for large sums of independent roundings,
and here no rounding accumulates: the last installment takes the whole remaining principal.

Rates are fractions: `Decimal("0.12")` is 12 % a year; a percent late fee of
`Decimal("0.05")` is 5 % of the overdue amount.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from typing import Literal, get_args

from corebank.core.money import minor_units

Amortization = Literal["annuity", "flat_principal"]
DayCount = Literal["30/360", "actual/365"]
Bucket = Literal["current", "1-30", "31-60", "61-90", "90+"]

_CONTEXT = Context(prec=50, rounding=ROUND_HALF_UP)
_MONTHS_A_YEAR = 12
_DAYS_A_YEAR = {"30/360": 360, "actual/365": 365}
_BUCKETS: tuple[tuple[int, Bucket], ...] = (
    (0, "current"),
    (30, "1-30"),
    (60, "31-60"),
    (90, "61-90"),
)


def to_minor(value: Decimal) -> int:
    """Round an amount in minor units to a whole minor unit, half-up (the module's one rule)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def add_months(start: date, months: int) -> date:
    """The same day of the month `months` later, clamped to that month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // _MONTHS_A_YEAR, index % _MONTHS_A_YEAR + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def days_30e_360(start: date, end: date) -> int:
    """Days from start to end by 30E/360: every month has 30 days, a 31st counts as the 30th."""
    return (
        360 * (end.year - start.year)
        + 30 * (end.month - start.month)
        + min(end.day, 30)
        - min(start.day, 30)
    )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _require_minor(value: object, name: str, *, positive: bool = False) -> None:
    least = 1 if positive else 0
    is_int = isinstance(value, int) and not isinstance(value, bool)
    _require(is_int and value >= least, f"{name} must be an int >= {least}")


def _require_rate(rate: object, name: str) -> None:
    valid = isinstance(rate, Decimal) and rate.is_finite() and rate >= 0
    _require(valid, f"{name} must be a Decimal >= 0")


@dataclass(frozen=True)
class Terms:
    """A loan as disbursed. `first_due_on` None: one month after disbursement (`add_months`)."""

    principal_minor: int
    currency: str
    annual_rate: Decimal
    term_months: int
    amortization: Amortization
    day_count: DayCount
    disbursed_on: date
    grace_installments: int = 0
    first_due_on: date | None = None

    def __post_init__(self) -> None:
        _require_minor(self.principal_minor, "principal_minor", positive=True)
        minor_units(self.currency)  # an unknown currency is a ValueError
        _require_rate(self.annual_rate, "annual_rate")
        _require_minor(self.term_months, "term_months", positive=True)
        _require(self.amortization in get_args(Amortization), "unknown amortization")
        _require(self.day_count in get_args(DayCount), "unknown day count")
        _require_minor(self.grace_installments, "grace_installments")
        _require(self.grace_installments < self.term_months, "grace must leave an installment")
        _require(
            self.first_due_on is None or self.first_due_on > self.disbursed_on,
            "first_due_on must come after disbursed_on",
        )

    @property
    def amortizing_installments(self) -> int:
        """The installments that repay principal: the term less the grace."""
        return self.term_months - self.grace_installments

    def due_dates(self) -> list[date]:
        """Every due date: monthly from the anchor, each clamped to its month's last day.

        Each date is counted from the anchor, not from the previous date, so a loan disbursed on
        Jan 31 falls due Feb 28 (29), Mar 31, Apr 30: a clamp never shortens later months.
        """
        if self.first_due_on is None:
            return [add_months(self.disbursed_on, k) for k in range(1, self.term_months + 1)]
        return [add_months(self.first_due_on, k) for k in range(self.term_months)]


@dataclass(frozen=True)
class Installment:
    """One row of a schedule; money in minor units; `remaining_principal` after this row."""

    number: int
    due_on: date
    principal: int
    interest: int
    fee: int
    total: int
    remaining_principal: int


def period_interest(
    balance_minor: int, annual_rate: Decimal, day_count: DayCount, start: date, end: date
) -> int:
    """One period's interest: 30/360 a twelfth of the year's, actual/365 by the actual days."""
    with localcontext(_CONTEXT):
        if day_count == "30/360":
            return to_minor(balance_minor * annual_rate / _MONTHS_A_YEAR)
        return to_minor(balance_minor * annual_rate * (end - start).days / 365)


def annuity_payment(principal_minor: int, annual_rate: Decimal, installments: int) -> int:
    """A = P·r / (1 - (1 + r)^-n), r = annual rate / 12, rounded half-up; P / n at 0 %."""
    with localcontext(_CONTEXT):
        if annual_rate == 0:
            return to_minor(Decimal(principal_minor) / installments)
        r = annual_rate / _MONTHS_A_YEAR
        return to_minor(principal_minor * r / (1 - (1 + r) ** -installments))


def installment_step(terms: Terms) -> Callable[[int], int]:
    """What an amortizing row repays given its interest: A - interest (never below 0) for an
    annuity, P / n rounded down for flat principal (the last row takes what is left either way)."""
    n = terms.amortizing_installments
    if terms.amortization == "flat_principal":
        share = terms.principal_minor // n
        return lambda interest: share
    payment = annuity_payment(terms.principal_minor, terms.annual_rate, n)
    return lambda interest: max(payment - interest, 0)


def _amortize(
    terms: Terms,
    balance: int,
    rows: Sequence[tuple[int, date, bool]],
    period_start: date,
) -> list[Installment]:
    """Rows (number, due date, interest only?) repaying `balance`: the last takes the rest and
    the schedule stops early at a zero balance, so principal sums exactly to `balance`."""
    step = installment_step(terms)
    schedule: list[Installment] = []
    for index, (number, due_on, interest_only) in enumerate(rows):
        interest = period_interest(
            balance, terms.annual_rate, terms.day_count, period_start, due_on
        )
        if index == len(rows) - 1:
            principal = balance
        else:
            principal = 0 if interest_only else min(step(interest), balance)
        balance -= principal
        schedule.append(
            Installment(number, due_on, principal, interest, 0, principal + interest, balance)
        )
        period_start = due_on
        if balance == 0:
            break
    return schedule


def build_schedule(terms: Terms) -> list[Installment]:
    """The loan's installments: the grace rows pay interest only, the rest amortize."""
    rows = [
        (number, due_on, number <= terms.grace_installments)
        for number, due_on in enumerate(terms.due_dates(), start=1)
    ]
    return _amortize(terms, terms.principal_minor, rows, terms.disbursed_on)


def apply_prepayment(
    terms: Terms, future: Sequence[Installment], extra_principal_minor: int, *, period_start: date
) -> list[Installment]:
    """The future installments after an extra principal payment: same installment amount
    (annuity payment, or flat principal share), fewer installments, the last one smaller.

    `future` are the installments not yet due, oldest first; `period_start` is the due date of
    the installment before them (or the disbursement). The extra principal counts from
    `period_start`. The result keeps the rows' numbers and due dates and drops those no longer
    needed. Paying the whole outstanding principal is a payoff (`payoff_quote`), not this.
    """
    _require(bool(future), "no future installments to prepay")
    _require(period_start < future[0].due_on, "period_start must come before the next due date")
    _require_minor(extra_principal_minor, "extra_principal_minor", positive=True)
    outstanding = future[0].principal + future[0].remaining_principal
    _require(extra_principal_minor < outstanding, "prepaying everything is a payoff")
    rows = [(row.number, row.due_on, row.number <= terms.grace_installments) for row in future]
    return _amortize(terms, outstanding - extra_principal_minor, rows, period_start)


@dataclass(frozen=True)
class DueItem:
    """What one installment still owes now, in minor units."""

    number: int
    fee: int
    interest: int
    principal: int

    def __post_init__(self) -> None:
        for name in ("fee", "interest", "principal"):
            _require_minor(getattr(self, name), name)


@dataclass(frozen=True)
class InstallmentAllocation:
    """What a payment paid of one installment."""

    number: int
    fee: int
    interest: int
    principal: int

    @property
    def total(self) -> int:
        return self.fee + self.interest + self.principal


@dataclass(frozen=True)
class Allocation:
    """A payment split over the installments due (one part each, in order) and what was left."""

    parts: tuple[InstallmentAllocation, ...]
    remainder: int

    @property
    def allocated(self) -> int:
        return sum(part.total for part in self.parts)


def allocate(payment_minor: int, due: Sequence[DueItem]) -> Allocation:
    """Split a payment: the oldest installment first, its fee, then interest, then principal,
    then the next installment. What is left over is the remainder (an overpayment)."""
    _require_minor(payment_minor, "payment_minor")
    numbers = [item.number for item in due]
    _require(numbers == sorted(set(numbers)), "due items must be oldest first, each once")
    left = payment_minor
    parts: list[InstallmentAllocation] = []
    for item in due:
        fee, left = _take(item.fee, left)
        interest, left = _take(item.interest, left)
        principal, left = _take(item.principal, left)
        parts.append(InstallmentAllocation(item.number, fee, interest, principal))
    return Allocation(tuple(parts), left)


def _take(owed: int, available: int) -> tuple[int, int]:
    paid = min(owed, available)
    return paid, available - paid


@dataclass(frozen=True)
class Quote:
    """What pays a loan off on a day, in minor units."""

    principal: int
    interest: int
    fees: int
    total: int


def accrued_interest(
    balance_minor: int, annual_rate: Decimal, day_count: DayCount, start: date, end: date
) -> int:
    """Interest on a balance from start to end: 30E/360 days / 360, or actual days / 365."""
    _require(end >= start, "accrual cannot end before it starts")
    days = days_30e_360(start, end) if day_count == "30/360" else (end - start).days
    with localcontext(_CONTEXT):
        return to_minor(balance_minor * annual_rate * days / _DAYS_A_YEAR[day_count])


def payoff_quote(
    terms: Terms,
    *,
    outstanding_principal: int,
    unpaid_interest: int,
    unpaid_fees: int,
    accrued_from: date,
    on: date,
) -> Quote:
    """The payoff on `on`: all the principal, the interest and fees already due and unpaid, and
    the interest accrued on the outstanding principal from the last due date (`accrued_from`,
    or the disbursement) to `on`, by the loan's day count."""
    for value, name in (
        (outstanding_principal, "outstanding_principal"),
        (unpaid_interest, "unpaid_interest"),
        (unpaid_fees, "unpaid_fees"),
    ):
        _require_minor(value, name)
    accrued = accrued_interest(
        outstanding_principal, terms.annual_rate, terms.day_count, accrued_from, on
    )
    interest = unpaid_interest + accrued
    total = outstanding_principal + interest + unpaid_fees
    return Quote(outstanding_principal, interest, unpaid_fees, total)


def days_past_due(oldest_unpaid_due_on: date | None, today: date) -> int:
    """Days since the oldest unpaid installment fell due: 0 on its due date and when none is."""
    if oldest_unpaid_due_on is None:
        return 0
    return max((today - oldest_unpaid_due_on).days, 0)


def bucket(days: int) -> Bucket:
    """The delinquency bucket of a number of days past due."""
    _require_minor(days, "days")
    for ceiling, name in _BUCKETS:
        if days <= ceiling:
            return name
    return "90+"


def late_fee(
    overdue_minor: int, rule: int | Decimal, *, tolerance_days: int, days_overdue: int
) -> int:
    """The late fee of one overdue installment: nothing within the tolerance, then a fixed amount
    (`rule` an int, minor units) or a fraction of what the installment still owes (`rule` a
    Decimal), rounded half-up. Charged once per installment: the caller records it once."""
    _require_minor(overdue_minor, "overdue_minor")
    _require_minor(tolerance_days, "tolerance_days")
    if days_overdue <= tolerance_days or overdue_minor == 0:
        return 0
    if isinstance(rule, Decimal):
        _require_rate(rule, "a percent late fee")
        with localcontext(_CONTEXT):
            return to_minor(overdue_minor * rule)
    _require_minor(rule, "a fixed late fee")
    return rule
