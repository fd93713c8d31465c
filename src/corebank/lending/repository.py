"""Every query of lending: products, loans, installments and repayments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.pagination import CursorCodec, PageParams, keyset_page
from corebank.models.account import Account
from corebank.models.customer import Customer
from corebank.models.loan import Loan, LoanInstallment, LoanProduct, LoanRepayment, LoanStatus

#: Loans whose principal counts against the customer's credit limit.
OPEN_STATUSES = (LoanStatus.applied, LoanStatus.approved, LoanStatus.active)


async def add(session: AsyncSession, row: Any) -> Any:
    session.add(row)
    await session.flush()
    return row


async def product(
    session: AsyncSession, product_id: int, *, for_update: bool = False
) -> LoanProduct | None:
    stmt = select(LoanProduct).where(LoanProduct.id == product_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def product_named(session: AsyncSession, name: str) -> LoanProduct | None:
    return await session.scalar(select(LoanProduct).where(LoanProduct.name == name))


async def product_in_use(session: AsyncSession, product_id: int) -> bool:
    found = await session.scalar(select(Loan.id).where(Loan.product_id == product_id).limit(1))
    return found is not None


async def page_of_products(
    session: AsyncSession, *, params: PageParams, codec: CursorCodec
) -> tuple[list[LoanProduct], str | None]:
    return await keyset_page(
        session,
        select(LoanProduct),
        id_column=LoanProduct.id,
        params=params,
        codec=codec,
        scope="loan-products",
    )


async def loan(session: AsyncSession, loan_id: int, *, for_update: bool = False) -> Loan | None:
    stmt = select(Loan).where(Loan.id == loan_id).execution_options(populate_existing=True)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def page_of_loans(
    session: AsyncSession,
    *,
    customer_ids: Sequence[int] | None,
    status: LoanStatus | None,
    params: PageParams,
    codec: CursorCodec,
) -> tuple[list[Loan], str | None]:
    """Loans newest first: of these customers (None: every customer), with this status."""
    stmt = select(Loan)
    if customer_ids is not None:
        stmt = stmt.where(Loan.customer_id.in_(customer_ids or [0]))
    if status is not None:
        stmt = stmt.where(Loan.status == status)
    scope = f"loans:{sorted(customer_ids) if customer_ids is not None else '*'}:{status}"
    return await keyset_page(
        session, stmt, id_column=Loan.id, params=params, codec=codec, scope=scope
    )


async def customer(
    session: AsyncSession, customer_id: int, *, for_update: bool = False
) -> Customer | None:
    """The live (not deleted) customer (locked: two approvals for one customer take turns)."""
    stmt = (
        select(Customer)
        .where(Customer.id == customer_id, Customer.deleted_at.is_(None))
        .execution_options(populate_existing=True)
    )
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def customer_ids_of_user(session: AsyncSession, user_id: int) -> list[int]:
    rows = await session.scalars(
        select(Customer.id).where(Customer.user_id == user_id, Customer.deleted_at.is_(None))
    )
    return list(rows)


async def account(session: AsyncSession, account_id: int) -> Account | None:
    return await session.scalar(select(Account).where(Account.id == account_id))


async def open_principal(session: AsyncSession, customer_id: int, *, currency: str) -> int:
    """What the customer owes or is about to owe in `currency`: the outstanding principal of
    active loans and the amount of those applied for or approved."""
    active = await session.scalar(
        select(func.coalesce(func.sum(Loan.principal_outstanding_minor), 0)).where(
            Loan.customer_id == customer_id,
            Loan.currency == currency,
            Loan.status == LoanStatus.active,
        )
    )
    waiting = await session.scalar(
        select(func.coalesce(func.sum(Loan.amount_minor), 0)).where(
            Loan.customer_id == customer_id,
            Loan.currency == currency,
            Loan.status.in_([LoanStatus.applied, LoanStatus.approved]),
        )
    )
    return int(active or 0) + int(waiting or 0)


async def add_installments(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await session.execute(insert(LoanInstallment), list(rows))


async def installments(
    session: AsyncSession, loan_id: int, *, for_update: bool = False
) -> list[LoanInstallment]:
    stmt = (
        select(LoanInstallment)
        .where(LoanInstallment.loan_id == loan_id)
        .order_by(LoanInstallment.number)
        .execution_options(populate_existing=True)
    )
    if for_update:
        stmt = stmt.with_for_update()
    return list(await session.scalars(stmt))


async def delete_unpaid_installments_after(
    session: AsyncSession, loan_id: int, number: int
) -> None:
    """Drop the untouched future installments after `number` (a prepayment recomputes them)."""
    await session.execute(
        delete(LoanInstallment).where(
            LoanInstallment.loan_id == loan_id,
            LoanInstallment.number > number,
            LoanInstallment.paid_principal_minor == 0,
            LoanInstallment.paid_interest_minor == 0,
            LoanInstallment.paid_fee_minor == 0,
        )
    )


async def repayments(session: AsyncSession, loan_id: int) -> list[LoanRepayment]:
    return list(
        await session.scalars(
            select(LoanRepayment).where(LoanRepayment.loan_id == loan_id).order_by(LoanRepayment.id)
        )
    )


async def active_loan_ids(session: AsyncSession, *, after_id: int, limit: int) -> list[int]:
    rows = await session.scalars(
        select(Loan.id)
        .where(Loan.status == LoanStatus.active, Loan.id > after_id)
        .order_by(Loan.id)
        .limit(limit)
    )
    return list(rows)


async def set_loan(session: AsyncSession, loan_id: int, **values: Any) -> None:
    await session.execute(update(Loan).where(Loan.id == loan_id).values(**values))
