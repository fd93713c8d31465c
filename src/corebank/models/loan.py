"""Lending: loan products, loans, their installments and repayments (docs/lending.md)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, BigId, IdMixin, TimestampMixin


class ProductStatus(StrEnum):
    active = "active"
    retired = "retired"


class LoanStatus(StrEnum):
    applied = "applied"
    approved = "approved"
    rejected = "rejected"
    active = "active"
    paid_off = "paid_off"


class LoanProduct(IdMixin, TimestampMixin, Base):
    """The terms loans are made on. Once a loan uses it, its terms never change."""

    __tablename__ = "loan_products"
    __table_args__ = (
        CheckConstraint("min_term_months >= 1 AND max_term_months >= min_term_months", "terms"),
        CheckConstraint("min_amount_minor > 0 AND max_amount_minor >= min_amount_minor", "amounts"),
    )

    name: Mapped[str] = mapped_column(String(100), unique=True)
    currency: Mapped[str] = mapped_column(String(3))
    annual_rate: Mapped[str] = mapped_column(String(16))
    min_term_months: Mapped[int] = mapped_column(Integer)
    max_term_months: Mapped[int] = mapped_column(Integer)
    min_amount_minor: Mapped[int] = mapped_column(BigInteger)
    max_amount_minor: Mapped[int] = mapped_column(BigInteger)
    amortization: Mapped[str] = mapped_column(String(16))
    day_count: Mapped[str] = mapped_column(String(16))
    grace_installments: Mapped[int] = mapped_column(Integer, default=0)
    late_fee_minor: Mapped[int | None] = mapped_column(BigInteger)
    late_fee_percent: Mapped[str | None] = mapped_column(String(16))
    late_fee_tolerance_days: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[ProductStatus] = mapped_column(String(16), default=ProductStatus.active)


class Loan(IdMixin, TimestampMixin, Base):
    """One loan: applied for, decided once, disbursed once, repaid installment by installment.

    The product's terms are copied at application, so a loan keeps the terms it was made on."""

    __tablename__ = "loans"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", "amount_positive"),
        CheckConstraint("principal_outstanding_minor >= 0", "outstanding_non_negative"),
        Index("ix_loans_customer_id_id", "customer_id", "id"),
        Index("ix_loans_status_id", "status", "id"),
    )

    product_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("loan_products.id", ondelete="RESTRICT")
    )
    customer_id: Mapped[int] = mapped_column(BigId, ForeignKey("customers.id", ondelete="RESTRICT"))
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("accounts.id", ondelete="RESTRICT"))
    requested_by: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="RESTRICT"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    term_months: Mapped[int] = mapped_column(Integer)
    annual_rate: Mapped[str] = mapped_column(String(16))
    amortization: Mapped[str] = mapped_column(String(16))
    day_count: Mapped[str] = mapped_column(String(16))
    grace_installments: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[LoanStatus] = mapped_column(String(16), default=LoanStatus.applied)
    decided_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="RESTRICT")
    )
    decided_at: Mapped[datetime | None]
    decision_reason: Mapped[str | None] = mapped_column(String(500))
    disbursed_at: Mapped[datetime | None]
    disbursement_entry_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("journal_entries.id", ondelete="RESTRICT")
    )
    principal_outstanding_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    days_past_due: Mapped[int] = mapped_column(Integer, default=0)
    bucket: Mapped[str] = mapped_column(String(8), default="current")
    paid_off_at: Mapped[datetime | None]


class LoanInstallment(IdMixin, Base):
    """One installment of an active loan's schedule, and what has been paid of it."""

    __tablename__ = "loan_installments"
    __table_args__ = (UniqueConstraint("loan_id", "number"),)

    loan_id: Mapped[int] = mapped_column(BigId, ForeignKey("loans.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    principal_minor: Mapped[int] = mapped_column(BigInteger)
    interest_minor: Mapped[int] = mapped_column(BigInteger)
    fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_principal_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_interest_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_fee_minor: Mapped[int] = mapped_column(BigInteger, default=0)


class LoanRepayment(IdMixin, Base):
    """A repayment as posted, and how it was allocated."""

    __tablename__ = "loan_repayments"
    __table_args__ = (Index("ix_loan_repayments_loan_id_id", "loan_id", "id"),)

    loan_id: Mapped[int] = mapped_column(BigId, ForeignKey("loans.id", ondelete="RESTRICT"))
    entry_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("journal_entries.id", ondelete="RESTRICT")
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    fee_minor: Mapped[int] = mapped_column(BigInteger)
    interest_minor: Mapped[int] = mapped_column(BigInteger)
    principal_minor: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime]
