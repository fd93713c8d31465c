"""Customer records (KYC subjects); a customer user is linked through `user_id`."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, BigId, IdMixin, TimestampMixin


class KycStatus(StrEnum):
    pending = "pending"
    verified = "verified"
    rejected = "rejected"


class CustomerStatus(StrEnum):
    active = "active"
    deleted = "deleted"


class Customer(IdMixin, TimestampMixin, Base):
    """A bank customer. E-mail (canonical) and phone (E.164) are unique among live records."""

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_kyc_status_id", "kyc_status", "id"),
        Index("ix_customers_created_at", "created_at"),
    )

    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    phone: Mapped[str] = mapped_column(String(20), unique=True)
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    address_line1: Mapped[str | None] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    national_id: Mapped[str | None] = mapped_column(String(64))
    credit_limit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    kyc_status: Mapped[KycStatus] = mapped_column(String(16), default=KycStatus.pending)
    kyc_reason: Mapped[str | None] = mapped_column(String(500))
    kyc_updated_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    credit_score: Mapped[int | None]
    credit_score_at: Mapped[datetime | None]
