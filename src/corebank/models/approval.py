"""Maker-checker: a request that waits for a second person's decision (docs/approvals.md)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, BigId, IdMixin


class ApprovalStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"
    expired = "expired"


class ApprovalOperation(StrEnum):
    transfer = "transfer"
    withdrawal = "withdrawal"
    multi_leg = "multi_leg"
    account_closure = "account_closure"
    credit_limit_raise = "credit_limit_raise"
    kyc_override = "kyc_override"
    loan_approval = "loan_approval"


class ApprovalRequest(IdMixin, Base):
    """One operation held for approval. It leaves `pending` once, by a conditional UPDATE.

    `request` is what the maker asked for (replayed by the operation's executor on approval);
    `hold_ids` are the holds reserving a money movement's funds while it waits.
    """

    __tablename__ = "approval_requests"
    __table_args__ = (
        CheckConstraint("amount_minor IS NULL OR amount_minor > 0", name="amount_positive"),
        Index("ix_approval_requests_status_expires_at", "status", "expires_at"),
        Index("ix_approval_requests_requested_by_id", "requested_by", "id"),
    )

    operation: Mapped[ApprovalOperation] = mapped_column(String(32))
    status: Mapped[ApprovalStatus] = mapped_column(String(16), default=ApprovalStatus.pending)
    requested_by: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="RESTRICT"))
    #: The maker's e-mail reduced to the person (docs/approvals.md, "Four eyes").
    maker_identity: Mapped[str] = mapped_column(String(320))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(BigId)
    currency: Mapped[str | None] = mapped_column(String(3))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    request: Mapped[dict[str, Any]] = mapped_column(JSON)
    hold_ids: Mapped[list[int]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    decided_by: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="RESTRICT")
    )
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    correlation_id: Mapped[str | None] = mapped_column(String(128))
