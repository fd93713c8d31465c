"""The audit trail: services `record()` inside their transaction; the chain is sealed at commit.

Each row carries the SHA-256 of its content and of the previous row's hash. Appends lock the one
`audit_chain_head` row, and they do so just before the commit, so the lock is held only for the
final insert and the commit itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.context import client_ip_var, correlation_id_var, user_agent_var
from corebank.models.audit import GENESIS_HASH, AuditChainHead, AuditEvent
from corebank.models.base import utcnow

PENDING_KEY = "corebank.audit.pending"
HEAD_ID = 1


def record(
    session: AsyncSession,
    action: str,
    *,
    actor_id: int | None = None,
    target_type: str | None = None,
    target_id: int | str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Queue an audit row; it is written if and only if the session's transaction commits."""
    user_agent = user_agent_var.get()
    session.info.setdefault(PENDING_KEY, []).append(
        {
            "occurred_at": utcnow(),
            "actor_id": actor_id,
            "action": action,
            "target_type": target_type,
            "target_id": None if target_id is None else str(target_id),
            "before": _jsonable(before),
            "after": _jsonable(after),
            "ip": client_ip_var.get(),
            "user_agent": user_agent[:256] if user_agent else None,
            "correlation_id": correlation_id_var.get(),
        }
    )


async def seal_pending(session: AsyncSession) -> None:
    """Append the queued rows to the chain (a transaction hook, run just before commit)."""
    pending: list[dict[str, Any]] = session.info.pop(PENDING_KEY, [])
    if not pending:
        return
    head = await _lock_head(session)
    last_id, last_hash = head.last_id, head.last_hash
    for values in pending:
        last_id += 1
        digest = row_hash(last_id, last_hash, values)
        session.add(AuditEvent(id=last_id, prev_hash=last_hash, hash=digest, **values))
        last_hash = digest
    await session.flush()
    await session.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_id=last_id, last_hash=last_hash)
    )


async def _lock_head(session: AsyncSession) -> AuditChainHead:
    head = await session.scalar(
        select(AuditChainHead).where(AuditChainHead.id == HEAD_ID).with_for_update()
    )
    if head is None:
        head = AuditChainHead(id=HEAD_ID, last_id=0, last_hash=GENESIS_HASH)
        session.add(head)
        await session.flush()
    return head


def row_hash(row_id: int, prev_hash: str, values: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and a canonical encoding of the row's content."""
    occurred_at: datetime = values["occurred_at"]
    content = {
        "id": row_id,
        "prev": prev_hash,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        **{k: values.get(k) for k in HASHED_FIELDS},
    }
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


HASHED_FIELDS = (
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "ip",
    "user_agent",
    "correlation_id",
)


def _jsonable(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return orjson.loads(orjson.dumps(dict(value), default=str))


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def verify_chain(session: AsyncSession, *, batch: int = 1000) -> VerifyReport:
    """Walk the chain in order (streaming) and report every changed, missing or extra row."""
    report = VerifyReport()
    expected_id, prev_hash = 1, GENESIS_HASH
    async for row in _stream(session, batch):
        report.checked += 1
        if row.id != expected_id:
            report.problems.append(f"row {row.id}: expected row {expected_id} (row removed?)")
        if row.prev_hash != prev_hash:
            report.problems.append(f"row {row.id}: does not link to the row before it")
        values = {k: getattr(row, k) for k in ("occurred_at", *HASHED_FIELDS)}
        if row_hash(row.id, row.prev_hash, values) != row.hash:
            report.problems.append(f"row {row.id}: content does not match its hash (changed?)")
        expected_id, prev_hash = row.id + 1, row.hash
    head = await session.get(AuditChainHead, HEAD_ID)
    if head is not None and (head.last_id, head.last_hash) != (expected_id - 1, prev_hash):
        report.problems.append(
            f"chain ends at row {expected_id - 1} but its head says row {head.last_id}"
        )
    return report


async def _stream(session: AsyncSession, batch: int) -> AsyncIterator[AuditEvent]:
    after = 0
    while True:
        rows = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id).limit(batch)
            )
        ).all()
        if not rows:
            return
        for row in rows:
            yield row
        after = rows[-1].id
        session.expunge_all()
