"""Users, their sessions and refresh tokens, login-failure counters and reset tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, BigId, IdMixin, TimestampMixin


class Role(StrEnum):
    customer = "customer"
    staff = "staff"
    admin = "admin"


class User(IdMixin, TimestampMixin, Base):
    """A person who can log in. `email` and `username` hold canonical forms (unique)."""

    __tablename__ = "users"
    __table_args__ = (Index("ix_users_role_id", "role", "id"),)

    email: Mapped[str] = mapped_column(String(320), unique=True)
    username: Mapped[str | None] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(16), default=Role.customer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    deleted_at: Mapped[datetime | None]
    pin_hash: Mapped[str | None] = mapped_column(String(255))
    pin_failed_count: Mapped[int] = mapped_column(Integer, default=0)
    pin_locked_until: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    mfa_failed_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mfa_locked_until: Mapped[datetime | None]
    #: When the user last passed a strong authentication for money (a challenge completed).
    last_sca_at: Mapped[datetime | None]
    #: Transfers let through as low-value since `last_sca_at`, and their sum (base currency).
    sca_exempt_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sca_exempt_minor: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    @property
    def can_log_in(self) -> bool:
        return self.is_active and self.deleted_at is None

    @property
    def has_pin(self) -> bool:
        return self.pin_hash is not None


class AuthSession(IdMixin, Base):
    """One login: the family of refresh tokens it issued, and its absolute end."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_user_id_revoked_at", "user_id", "revoked_at"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(32))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(256))
    #: Set when the session may do one thing only (e.g. "enrol_mfa" for staff without MFA).
    required_action: Mapped[str | None] = mapped_column(String(32))


class RefreshToken(IdMixin, Base):
    """A refresh token of a session, stored only as its SHA-256; used at most once."""

    __tablename__ = "refresh_tokens"

    session_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Consecutive failed logins per canonical identifier, whether or not a user has it."""

    __tablename__ = "login_throttles"

    identifier: Mapped[str] = mapped_column(String(320), primary_key=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_failed_at: Mapped[datetime | None]


class PasswordResetToken(IdMixin, Base):
    """A single-use reset token (hash only), dead once used, expired or the password changed."""

    __tablename__ = "password_reset_tokens"

    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
