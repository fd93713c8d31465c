"""Customer records (KYC subjects); a customer user is linked through `user_id`."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, BigId, IdMixin, TimestampMixin

LIVE = text("deleted_at IS NULL")

#: Marks schema objects that exist on one backend only (see migrations/helpers.py).
POSTGRESQL_ONLY = {"only_on_dialect": "postgresql"}


class KycStatus(StrEnum):
    pending = "pending"
    verified = "verified"
    rejected = "rejected"


class CustomerStatus(StrEnum):
    active = "active"
    deleted = "deleted"


def _live_unique(name: str, column: str) -> Index:
    """Unique among live records: a soft-deleted customer frees its e-mail, phone and user."""
    return Index(name, column, unique=True, sqlite_where=LIVE, postgresql_where=LIVE)


class Customer(IdMixin, TimestampMixin, Base):
    """A bank customer. E-mail (canonical) and phone (E.164) are unique among live records.

    `search_text` is the folded (case- and accent-free) text that `GET /customers?q=` searches;
    the service keeps it in step with the names, e-mail and phone. PostgreSQL indexes it with a
    pg_trgm GIN index; SQLite with the FTS5 trigram table `customers_search` (migration 0003).
    """

    __tablename__ = "customers"
    __table_args__ = (
        Index("ix_customers_kyc_status_id", "kyc_status", "id"),
        Index("ix_customers_created_at", "created_at"),
        _live_unique("uq_customers_email_live", "email"),
        _live_unique("uq_customers_phone_live", "phone"),
        _live_unique("uq_customers_user_id_live", "user_id"),
        Index(
            "ix_customers_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
            info=POSTGRESQL_ONLY,
        ),
    )

    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str] = mapped_column(String(20))
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
    search_text: Mapped[str] = mapped_column(Text, default="")

    @property
    def status(self) -> CustomerStatus:
        """`deleted` once soft-deleted, else `active` (derived from `deleted_at`)."""
        return CustomerStatus.active if self.deleted_at is None else CustomerStatus.deleted
