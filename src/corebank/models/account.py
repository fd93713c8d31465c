"""Accounts: customer accounts and the internal settlement account of each currency."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, BigId, IdMixin, TimestampMixin

SETTLEMENT_WHERE = text("kind = 'settlement'")
LENDING_WHERE = text("kind IN ('loan_portfolio', 'interest_income', 'fee_income')")


class AccountKind(StrEnum):
    customer = "customer"
    settlement = "settlement"
    #: Lending's internal accounts, one of each per currency (docs/lending.md).
    loan_portfolio = "loan_portfolio"
    interest_income = "interest_income"
    fee_income = "fee_income"


class AccountType(StrEnum):
    checking = "checking"
    savings = "savings"
    internal = "internal"


class AccountStatus(StrEnum):
    active = "active"
    frozen = "frozen"
    closed = "closed"


class Account(IdMixin, TimestampMixin, Base):
    """An account. `balance_minor` and `held_minor` are kept with every posting and hold.

    available = balance - held; what may still be spent is available + overdraft_limit.
    Settlement accounts (one per currency, no customer) take the other side of deposits and
    withdrawals, so the whole ledger sums to zero; they may go negative.
    """

    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("held_minor >= 0", name="held_non_negative"),
        CheckConstraint("overdraft_limit_minor >= 0", name="overdraft_non_negative"),
        Index("ix_accounts_customer_id_id", "customer_id", "id"),
        Index("ix_accounts_status_id", "status", "id"),
        Index("ix_accounts_currency_id", "currency", "id"),
        Index(
            "uq_accounts_settlement_currency",
            "currency",
            unique=True,
            sqlite_where=SETTLEMENT_WHERE,
            postgresql_where=SETTLEMENT_WHERE,
        ),
        Index(
            "uq_accounts_lending_kind_currency",
            "kind",
            "currency",
            unique=True,
            sqlite_where=LENDING_WHERE,
            postgresql_where=LENDING_WHERE,
        ),
    )

    number: Mapped[str] = mapped_column(String(12), unique=True)
    customer_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="RESTRICT")
    )
    kind: Mapped[AccountKind] = mapped_column(String(16), default=AccountKind.customer)
    type: Mapped[AccountType] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[AccountStatus] = mapped_column(String(16), default=AccountStatus.active)
    nickname: Mapped[str | None] = mapped_column(String(100))
    balance_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    held_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    overdraft_limit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    closed_at: Mapped[datetime | None]

    @property
    def available_minor(self) -> int:
        return self.balance_minor - self.held_minor
