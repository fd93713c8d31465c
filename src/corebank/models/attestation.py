"""Signed attestations of the ledger (append-only series) and the checkpoint of the
incremental invariant checks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from corebank.models.base import Base, BigId, IdMixin


class Attestation(IdMixin, Base):
    """One stored signed attestation; `hash` is SHA-256 of the whole signed document's
    canonical bytes and `previous_hash` the hash of the row before it (NULL for the first).
    The database refuses UPDATE and DELETE; `previous_hash` is unique, so two writers that
    read the same last row cannot both extend the series from it."""

    __tablename__ = "attestations"

    issued_at: Mapped[datetime]
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class LedgerCheckpoint(Base):
    """A single row: how far the ledger's invariants have been checked (entries up to
    `last_entry_id`), so an attestation checks only what came after."""

    __tablename__ = "ledger_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_entry_id: Mapped[int] = mapped_column(BigInteger)
    entries: Mapped[int] = mapped_column(BigInteger)
    postings: Mapped[int] = mapped_column(BigInteger)
    checked_at: Mapped[datetime]
    mode: Mapped[str] = mapped_column(String(16))


class LedgerCheckpointAccount(Base):
    """Per account, its postings of the entries the checkpoint covers: their sum, how many,
    the last one's id and its balance after."""

    __tablename__ = "ledger_checkpoint_accounts"

    account_id: Mapped[int] = mapped_column(
        BigId,
        ForeignKey("accounts.id", ondelete="RESTRICT"),
        primary_key=True,
        autoincrement=False,
    )
    posting_sum: Mapped[int] = mapped_column(BigInteger)
    postings: Mapped[int] = mapped_column(BigInteger)
    last_posting_id: Mapped[int] = mapped_column(BigInteger)
    last_balance_after: Mapped[int] = mapped_column(BigInteger)
