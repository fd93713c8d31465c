"""Second factors and strong authentication: TOTP factors, recovery codes, login tickets,
money-out challenges and trusted payees."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, BigId, IdMixin


class TotpFactor(IdMixin, Base):
    """A user's TOTP secret, encrypted with the MFA key named by `key_id`; live once confirmed."""

    __tablename__ = "totp_factors"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    secret_ciphertext: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    #: The last 30-second step whose code was accepted: a code is good once.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger)


class RecoveryCode(IdMixin, Base):
    """A single-use recovery code, stored as its SHA-256 only."""

    __tablename__ = "mfa_recovery_codes"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class MfaTicket(IdMixin, Base):
    """The password step of an enrolled user's login: single use, short-lived, hash only."""

    __tablename__ = "mfa_tickets"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class ScaChallenge(IdMixin, Base):
    """A strong-authentication challenge for money out, bound to amount, currency, source and
    payee (a transfer) or to every leg of a set of payments (`legs_digest`, with a summary to
    read); completing it yields a one-time authorization code (hash only) consumed by the move."""

    __tablename__ = "sca_challenges"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(32))
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    source_account_id: Mapped[int | None] = mapped_column(BigId)
    payee_account_id: Mapped[int | None] = mapped_column(BigId)
    #: A set of payments (a multi-leg transaction): SHA-256 of its canonical legs, in order.
    legs_digest: Mapped[str | None] = mapped_column(String(64))
    #: What the customer reads of that set: leg count, totals per currency, payees.
    legs_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(16))
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    consumed_at: Mapped[datetime | None]


class TrustedPayee(IdMixin, Base):
    """An account a customer trusted after a strong authentication: transfers to it skip SCA."""

    __tablename__ = "trusted_payees"
    __table_args__ = (UniqueConstraint("user_id", "account_id"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(BigId, ForeignKey("accounts.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
