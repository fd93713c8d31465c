"""Delinquency: overdue installments, late fees, days past due and the bucket (docs/lending.md).

`corebank ledger sweep` runs `sweep` once a day (and the repayment path `assess`es the loan it
changed). A late fee is charged once per installment, when it has been overdue longer than the
product's tolerance; it is owed like the installment's interest and posted to fee income when
it is paid (cash basis, as interest).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.db import Database
from corebank.lending import repository
from corebank.lending.schedule import bucket, days_past_due, late_fee
from corebank.lending.service import record
from corebank.models.loan import Loan, LoanInstallment, LoanProduct, LoanStatus


def _unpaid(row: LoanInstallment) -> int:
    return (
        row.principal_minor
        + row.interest_minor
        + row.fee_minor
        - row.paid_principal_minor
        - row.paid_interest_minor
        - row.paid_fee_minor
    )


def assess(loan: Loan, rows: Sequence[LoanInstallment], today: date) -> bool:
    """Set the loan's days past due and bucket from its oldest unpaid installment past its due
    date; True when the loan has just become overdue (it was current)."""
    overdue = [row.due_on for row in rows if row.due_on < today and _unpaid(row) > 0]
    was_current = loan.days_past_due == 0
    loan.days_past_due = days_past_due(min(overdue, default=None), today)
    loan.bucket = bucket(loan.days_past_due)
    return was_current and loan.days_past_due > 0


def charge_late_fees(product: LoanProduct, rows: Sequence[LoanInstallment], today: date) -> int:
    """Charge the product's late fee on each installment overdue past the tolerance that has
    none yet; the total charged."""
    rule = _fee_rule(product)
    charged = 0
    for row in rows:
        overdue_days = (today - row.due_on).days
        if rule is None or row.fee_minor or _unpaid(row) == 0 or overdue_days <= 0:
            continue
        fee = late_fee(
            _unpaid(row),
            rule,
            tolerance_days=product.late_fee_tolerance_days,
            days_overdue=overdue_days,
        )
        row.fee_minor += fee
        charged += fee
    return charged


def _fee_rule(product: LoanProduct) -> int | Decimal | None:
    """The product's late fee: a fixed amount (minor units), a fraction, or none."""
    if product.late_fee_minor is not None:
        return product.late_fee_minor
    if product.late_fee_percent is not None:
        return Decimal(product.late_fee_percent) / 100
    return None


async def sweep(db: Database, *, now: datetime, batch: int = 100) -> int:
    """Assess every active loan as of `now`'s date; how many became overdue."""
    became_overdue, after = 0, 0
    while True:
        async with db.read() as session:
            ids = await repository.active_loan_ids(session, after_id=after, limit=batch)
        for loan_id in ids:
            async with db.transaction() as session:
                became_overdue += await _sweep_one(session, loan_id, now)
        if len(ids) < batch:
            return became_overdue
        after = ids[-1]


async def _sweep_one(session: AsyncSession, loan_id: int, now: datetime) -> int:
    loan = await repository.loan(session, loan_id, for_update=True)
    if loan is None or loan.status != LoanStatus.active:
        return 0
    product = await repository.product(session, loan.product_id)
    assert product is not None
    rows = await repository.installments(session, loan.id, for_update=True)
    today = now.date()
    charge_late_fees(product, rows, today)
    overdue = assess(loan, rows, today)
    await session.flush()
    if overdue:
        record(session, "loan.overdue", loan, actor_id=None, days_past_due=loan.days_past_due)
    return int(overdue)
