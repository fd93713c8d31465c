"""The journal (append-only), holds on funds and idempotency keys of money-moving requests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, BigId, IdMixin


class EntryType(StrEnum):
    deposit = "deposit"
    withdrawal = "withdrawal"
    transfer = "transfer"
    hold_capture = "hold_capture"
    reversal = "reversal"
    multi_leg = "multi_leg"
    loan_disbursal = "loan_disbursal"
    loan_repayment = "loan_repayment"


class JournalEntry(IdMixin, Base):
    """One money movement; its postings sum to zero. Rows are never changed or deleted."""

    __tablename__ = "journal_entries"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        Index("ix_journal_entries_created_at", "created_at"),
    )

    type: Mapped[EntryType] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str | None] = mapped_column(String(500))
    reverses_entry_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("journal_entries.id", ondelete="RESTRICT"), unique=True
    )
    created_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime]
    #: A multi-leg transaction's metadata (a small object of strings); NULL for other entries.
    #: ("metadata" is taken on a declarative class, hence the attribute's name.)
    entry_metadata: Mapped[dict[str, str] | None] = mapped_column(
        "metadata", JSON(none_as_null=True)
    )


class Posting(IdMixin, Base):
    """One leg of an entry: a signed amount on one account and that account's balance after it."""

    __tablename__ = "postings"
    __table_args__ = (
        CheckConstraint("amount_minor <> 0", name="amount_non_zero"),
        Index("ix_postings_account_id_id", "account_id", "id"),
        Index("ix_postings_account_id_created_at", "account_id", "created_at"),
        Index("ix_postings_entry_id", "entry_id"),
    )

    entry_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("journal_entries.id", ondelete="RESTRICT")
    )
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("accounts.id", ondelete="RESTRICT"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    balance_after_minor: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]


class HoldStatus(StrEnum):
    open = "open"
    captured = "captured"
    voided = "voided"
    expired = "expired"


class Hold(IdMixin, Base):
    """Funds reserved on an account (two-phase): captured (in part) once, voided, or expired."""

    __tablename__ = "holds"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        CheckConstraint(
            "captured_minor >= 0 AND captured_minor <= amount_minor", name="captured_in_range"
        ),
        Index("ix_holds_account_id_id", "account_id", "id"),
        Index("ix_holds_status_expires_at", "status", "expires_at"),
    )

    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("accounts.id", ondelete="RESTRICT"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    captured_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[HoldStatus] = mapped_column(String(16), default=HoldStatus.open)
    description: Mapped[str | None] = mapped_column(String(500))
    expires_at: Mapped[datetime | None]
    entry_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("journal_entries.id", ondelete="RESTRICT")
    )
    created_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    #: The approval request this hold reserves money for: only its decision resolves it.
    approval_request_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("approval_requests.id", ondelete="RESTRICT")
    )


class IdempotencyKey(IdMixin, Base):
    """The first outcome of a money-moving request, per (user, route, key), kept for 24 h."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("user_id", "route", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    route: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
