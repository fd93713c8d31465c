"""The audit trail: services `record()` inside their transaction; the chain is sealed at commit.

Each row carries the SHA-256 of its content and of the previous row's hash. Appends lock the one
`audit_chain_head` row, and they do so just before the commit, so the lock is held only for the
final insert and the commit itself. On PostgreSQL that insert is one call of the
`corebank_audit_append` function (migration 0006), which locks, hashes and inserts in the
database: the app sends each row's canonical JSON cut around its position and previous hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.context import client_ip_var, correlation_id_var, user_agent_var
from corebank.core.sql import Prepared, execute
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
    if session.bind.dialect.name == "postgresql":
        pieces = [p for p in map(_split_canonical, pending) if p is not None]
        if len(pieces) == len(pending):
            await _append_in_database(session, pending, pieces)
            return
    await _append_here(session, pending)


async def _append_in_database(
    session: AsyncSession,
    pending: list[dict[str, Any]],
    pieces: list[tuple[str, str, str]],
) -> None:
    """PostgreSQL: lock the head, hash and insert every row in one call (migration 0006)."""
    rows = [
        {
            **values,
            "occurred_at": _timestamp(values["occurred_at"]),
            "head": head,
            "middle": middle,
            "tail": tail,
        }
        for values, (head, middle, tail) in zip(pending, pieces, strict=True)
    ]
    await execute(session, _APPEND, {"rows": orjson.dumps(rows).decode()})


_APPEND = Prepared(text("SELECT corebank_audit_append(CAST(:rows AS json))"))


async def _append_here(session: AsyncSession, pending: list[dict[str, Any]]) -> None:
    """Any database: lock the head row, hash in Python, insert, move the head."""
    head = await _lock_head(session)
    last_id, last_hash = head
    rows = []
    for values in pending:
        last_id += 1
        digest = row_hash(last_id, last_hash, values)
        rows.append({"id": last_id, "prev_hash": last_hash, "hash": digest, **values})
        last_hash = digest
    connection = await session.connection()
    await connection.execute(insert(AuditEvent), rows)
    await connection.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_id=last_id, last_hash=last_hash)
    )


async def _lock_head(session: AsyncSession) -> tuple[int, str]:
    stmt = (
        select(AuditChainHead.last_id, AuditChainHead.last_hash)
        .where(AuditChainHead.id == HEAD_ID)
        .with_for_update()
    )
    head = (await session.execute(stmt)).first()
    if head is None:
        await session.execute(
            insert(AuditChainHead).values(id=HEAD_ID, last_id=0, last_hash=GENESIS_HASH)
        )
        return 0, GENESIS_HASH
    return head[0], head[1]


#: Stand-ins for the chain position and previous hash while the canonical JSON is cut in three.
_ID_MARK = 9_007_199_254_740_993
_PREV_MARK = "f" * 63 + "0"


def _split_canonical(values: Mapping[str, Any]) -> tuple[str, str, str] | None:
    """The row's canonical JSON cut around its id and previous hash (None if it cannot be).

    `row_hash(id, prev, values)` is SHA-256 of `head + str(id) + middle + prev + tail`.
    """
    text_ = _canonical(_ID_MARK, _PREV_MARK, values).decode()
    id_mark, prev_mark = f'"id":{_ID_MARK}', f'"prev":"{_PREV_MARK}"'
    if text_.count(id_mark) != 1 or text_.count(prev_mark) != 1:
        return None
    if text_.index(id_mark) > text_.index(prev_mark):
        return None
    head, rest = text_.split(id_mark)
    middle, tail = rest.split(prev_mark)
    return head + '"id":', middle + '"prev":"', '"' + tail


def _timestamp(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


def row_hash(row_id: int, prev_hash: str, values: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and a canonical encoding of the row's content."""
    return hashlib.sha256(_canonical(row_id, prev_hash, values)).hexdigest()


def _canonical(row_id: int, prev_hash: str, values: Mapping[str, Any]) -> bytes:
    occurred_at: datetime = values["occurred_at"]
    content = {
        "id": row_id,
        "prev": prev_hash,
        "occurred_at": _timestamp(occurred_at),
        **{k: values.get(k) for k in HASHED_FIELDS},
    }
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


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
