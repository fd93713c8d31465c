"""Every query of the attestation: the ledger after the checkpoint (in batches by id, so memory
stays flat), the checkpoint itself, the audit chain's head, and the stored series."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, insert, literal, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.ledger import verify_repository
from corebank.models.account import Account
from corebank.models.attestation import Attestation, LedgerCheckpoint, LedgerCheckpointAccount
from corebank.models.audit import GENESIS_HASH, AuditChainHead, AuditEvent
from corebank.models.ledger import Hold, HoldStatus, JournalEntry, Posting

CHECKPOINT_ID = 1
#: The advisory lock (PostgreSQL) under which the checkpoint moves and the series grows.
LOCK_NAME = "corebank.attestation"


# --- the checkpoint ----------------------------------------------------------------------------


async def checkpoint(session: AsyncSession) -> LedgerCheckpoint | None:
    return await session.get(LedgerCheckpoint, CHECKPOINT_ID)


async def checkpoint_marks(
    session: AsyncSession, account_ids: Iterable[int]
) -> dict[int, tuple[int, int, int, int]]:
    """Per account: (posting sum, postings, last posting id, last balance after) at the
    checkpoint."""
    ids = list(account_ids)
    if not ids:
        return {}
    marks = LedgerCheckpointAccount
    rows = await session.execute(
        select(
            marks.account_id,
            marks.posting_sum,
            marks.postings,
            marks.last_posting_id,
            marks.last_balance_after,
        ).where(marks.account_id.in_(ids))
    )
    return {row[0]: tuple(row[1:]) for row in rows}  # type: ignore[misc]


async def save_checkpoint(
    session: AsyncSession,
    *,
    expected_entry_id: int | None,
    values: dict[str, Any],
) -> bool:
    """Move the checkpoint to `values` if it is still at `expected_entry_id` (None: replace it
    whatever it is, for a full check); whether it moved."""
    current = await session.scalar(
        select(LedgerCheckpoint.last_entry_id).where(LedgerCheckpoint.id == CHECKPOINT_ID)
    )
    if expected_entry_id is not None and (current or 0) != expected_entry_id:
        return False
    if current is None:
        await session.execute(insert(LedgerCheckpoint).values(id=CHECKPOINT_ID, **values))
    else:
        await session.execute(
            update(LedgerCheckpoint).where(LedgerCheckpoint.id == CHECKPOINT_ID).values(**values)
        )
    return True


async def clear_marks(session: AsyncSession) -> None:
    await session.execute(delete(LedgerCheckpointAccount))


async def save_marks(session: AsyncSession, marks: dict[int, tuple[int, int, int, int]]) -> None:
    """Write each account's mark (replacing the one it had)."""
    if not marks:
        return
    ids = list(marks)
    await session.execute(
        delete(LedgerCheckpointAccount).where(LedgerCheckpointAccount.account_id.in_(ids))
    )
    rows = [
        {
            "account_id": account_id,
            "posting_sum": mark[0],
            "postings": mark[1],
            "last_posting_id": mark[2],
            "last_balance_after": mark[3],
        }
        for account_id, mark in marks.items()
    ]
    for start in range(0, len(rows), 1000):
        await session.execute(insert(LedgerCheckpointAccount), rows[start : start + 1000])


async def try_lock(session: AsyncSession) -> bool:
    """PostgreSQL: the transaction-level advisory lock of attestation writers, if free.
    (SQLite's writers are serialized by BEGIN IMMEDIATE.)"""
    if session.bind.dialect.name != "postgresql":
        return True
    found = await session.scalar(
        text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": LOCK_NAME}
    )
    return bool(found)


# --- the ledger after the checkpoint ---------------------------------------------------------


async def settled_entry_id(session: AsyncSession, *, before: datetime) -> int:
    """The highest entry id created at or before `before` (0 if none)."""
    found = await session.scalar(
        select(func.max(JournalEntry.id)).where(JournalEntry.created_at <= before)
    )
    return found or 0


def postings_after(
    session: AsyncSession, after_entry_id: int, batch: int
) -> AsyncIterator[list[Any]]:
    """Postings of entries after `after_entry_id` as (account id, id, entry id, amount,
    balance after), `batch` at a time, by account and id."""
    stmt: Select[Any] = select(
        Posting.account_id,
        Posting.id,
        Posting.entry_id,
        Posting.amount_minor,
        Posting.balance_after_minor,
    )
    if after_entry_id:
        stmt = stmt.where(Posting.entry_id > after_entry_id)
    return verify_repository.by_account_and_id(session, stmt, batch)


def accounts_with_marks(
    session: AsyncSession, batch: int, *, from_checkpoint: bool
) -> AsyncIterator[list[Any]]:
    """Every account as (id, kind, status, currency, balance, held, overdraft limit, posting
    sum at the checkpoint (0 without one), sum of open holds), `batch` at a time, by id."""
    held = (
        select(func.coalesce(func.sum(Hold.amount_minor), 0))
        .where(Hold.account_id == Account.id, Hold.status == HoldStatus.open)
        .scalar_subquery()
    )
    marked = (
        select(LedgerCheckpointAccount.posting_sum)
        .where(LedgerCheckpointAccount.account_id == Account.id)
        .scalar_subquery()
    )
    stmt = select(
        Account.id,
        Account.kind,
        Account.status,
        Account.currency,
        Account.balance_minor,
        Account.held_minor,
        Account.overdraft_limit_minor,
        func.coalesce(marked, 0) if from_checkpoint else literal(0),
        held,
    )
    return _accounts(session, stmt, batch)


async def _accounts(session: AsyncSession, stmt: Select[Any], batch: int) -> AsyncIterator[Any]:
    after = 0
    while True:
        page = stmt.where(Account.id > after).order_by(Account.id).limit(batch)
        rows = (await session.execute(page)).all()
        if not rows:
            return
        yield list(rows)
        after = rows[-1][0]


# --- what the attestation also states ----------------------------------------------------------


async def schema_version(session: AsyncSession) -> str | None:
    """The alembic revision the database is at."""
    return await session.scalar(text("SELECT version_num FROM alembic_version"))


async def audit_head(session: AsyncSession) -> tuple[int, str, int]:
    """The audit chain's (sealed length, head hash, rows not sealed yet)."""
    head = (
        await session.execute(
            select(AuditChainHead.last_id, AuditChainHead.last_hash).where(AuditChainHead.id == 1)
        )
    ).first()
    pending = await session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.id.is_(None))
    )
    length, head_hash = (head[0], head[1]) if head is not None else (0, GENESIS_HASH)
    return length, head_hash, pending or 0


# --- the stored series --------------------------------------------------------------------------


async def latest_hash(session: AsyncSession) -> str | None:
    """The hash of the newest stored attestation (None before the first)."""
    return await session.scalar(select(Attestation.hash).order_by(Attestation.id.desc()).limit(1))


async def latest_issued_at(session: AsyncSession) -> datetime | None:
    return await session.scalar(
        select(Attestation.issued_at).order_by(Attestation.id.desc()).limit(1)
    )


async def store(
    session: AsyncSession,
    *,
    issued_at: datetime,
    document: dict[str, Any],
    digest: str,
    previous_hash: str | None,
) -> Attestation:
    row = Attestation(
        issued_at=issued_at, document=document, hash=digest, previous_hash=previous_hash
    )
    session.add(row)
    await session.flush()
    return row


def listing() -> Select[tuple[Attestation]]:
    return select(Attestation)
