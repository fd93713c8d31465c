"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, BigId

GENESIS_HASH = "0" * 64

#: A row is pending (written, not yet sealed) while it has no chain position.
PENDING = text("id IS NULL")


class AuditEvent(Base):
    """One audited action: inserted unsealed by its transaction, sealed after it commits.

    `seq` is the write order, from a sequence (gaps where a transaction rolled back). `id` is
    the position in the hash chain; it, `prev_hash` and `hash` are NULL until a sealer fills
    them in (core/audit.py). The database refuses every other change, and every DELETE.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_actor_seq", "actor_id", "seq"),
        Index("ix_audit_events_action_seq", "action", "seq"),
        Index("ix_audit_events_target_seq", "target_type", "target_id", "seq"),
        Index("ix_audit_events_occurred_at", "occurred_at"),
        Index("ix_audit_events_pending", "seq", postgresql_where=PENDING, sqlite_where=PENDING),
        CheckConstraint(
            "(id IS NULL AND prev_hash IS NULL AND hash IS NULL)"
            " OR (id IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL)",
            name="sealed_together",
        ),
    )

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    id: Mapped[int | None] = mapped_column(BigId, unique=True)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(256))
    correlation_id: Mapped[str | None] = mapped_column(String(128))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    @property
    def sealed(self) -> bool:
        """Whether the row has its place in the chain yet."""
        return self.id is not None


class AuditChainHead(Base):
    """A single row holding the chain's last position and hash; the sealer locks it."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
