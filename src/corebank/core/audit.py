"""The audit trail: services `record()` inside their transaction; rows are sealed after commit.

Writing locks nothing shared. At commit a transaction inserts its queued rows unsealed: `seq`
(the write order, from a sequence) set by the database, the chain columns (`id`, the position;
`prev_hash`; `hash`) NULL. Sealing happens later, off the request path, in a short transaction
of its own (`seal_batch`, run by core/audit_sealer.py): it locks the one `audit_chain_head` row,
so one sealer at a time runs across every process and instance (SQLite serializes writers
anyway), reads the committed unsealed rows in `seq` order, and gives them the next contiguous
positions and the hash chain.

Order: positions are assigned when rows are sealed, in the order a sealing pass finds them.
A pass sees only committed rows, so a transaction that took an earlier `seq` but commits after
a pass has sealed later ones is sealed by a later pass, after them. The chain's order is the
order rows were sealed; `seq` only breaks ties within one pass.

Each sealed row carries the SHA-256 of its content, its position and the previous row's hash
(`row_hash`, the same canonical form as ever, so chains written before sealing moved here still
verify). `verify_chain` walks the sealed rows in position order: a changed, removed or inserted
sealed row, or a broken link, is a failure; rows not sealed yet are counted as pending.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.context import client_ip_var, correlation_id_var, user_agent_var
from corebank.core.sql import Prepared, execute_many
from corebank.models.audit import GENESIS_HASH, AuditChainHead, AuditEvent
from corebank.models.base import utcnow

PENDING_KEY = "corebank.audit.pending"
WRITTEN_KEY = "corebank.audit.written"
HEAD_ID = 1

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
#: The columns a transaction writes; the database gives `seq`, the sealer the chain columns.
COLUMNS = ("occurred_at", *HASHED_FIELDS)


# --- writing (the request's transaction) -------------------------------------------------------


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


async def write_pending(session: AsyncSession) -> int:
    """Insert the queued rows, unsealed, with one statement (run just before commit); how many.

    Nothing shared is locked: the sealer, told after the transaction (`wrote_rows`), seals them.
    """
    rows: list[dict[str, Any]] = session.info.pop(PENDING_KEY, [])
    if rows:
        await execute_many(session, _INSERT, rows)
        session.info[WRITTEN_KEY] = True
    return len(rows)


def wrote_rows(info: Mapping[str, Any]) -> bool:
    """Whether the transaction of this session info wrote audit rows."""
    return bool(info.get(WRITTEN_KEY))


_INSERT = Prepared(insert(AuditEvent), column_keys=COLUMNS)


def _jsonable(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return orjson.loads(orjson.dumps(dict(value), default=str))


# --- sealing (its own transaction, one sealer at a time) ---------------------------------------


class SealerBusy(Exception):
    """Another sealer holds the chain's head: it is sealing; try again later."""


async def seal_batch(session: AsyncSession, *, limit: int, wait: bool = True) -> int:
    """Seal up to `limit` committed unsealed rows, oldest `seq` first; how many were sealed.

    Locks the chain's head row first (held until the caller commits), so every other sealer
    waits and then sees these rows sealed. Request transactions never touch the head. With
    `wait=False` (the background sealers), a head another sealer holds raises SealerBusy at
    once instead of holding a connection while it waits (PostgreSQL; SQLite has one writer).
    """
    last_id, last_hash = await _lock_head(session, wait=wait)
    pending = (await session.execute(_pending_rows(limit))).all()
    if not pending:
        return 0
    sealed = []
    for row in pending:
        last_id += 1
        digest = row_hash(last_id, last_hash, row._mapping)
        sealed.append({"b_seq": row.seq, "b_id": last_id, "b_prev": last_hash, "b_hash": digest})
        last_hash = digest
    connection = await session.connection()
    await connection.execute(_SEAL, sealed)
    await connection.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(last_id=last_id, last_hash=last_hash)
    )
    return len(sealed)


def _pending_rows(limit: int) -> Select[Any]:
    columns = [getattr(AuditEvent, name) for name in COLUMNS]
    return (
        select(AuditEvent.seq, *columns)
        .where(AuditEvent.id.is_(None))
        .order_by(AuditEvent.seq)
        .limit(limit)
    )


_SEAL = (
    update(AuditEvent)
    .where(AuditEvent.seq == bindparam("b_seq"), AuditEvent.id.is_(None))
    .values(id=bindparam("b_id"), prev_hash=bindparam("b_prev"), hash=bindparam("b_hash"))
)


async def _lock_head(session: AsyncSession, *, wait: bool = True) -> tuple[int, str]:
    stmt = (
        select(AuditChainHead.last_id, AuditChainHead.last_hash)
        .where(AuditChainHead.id == HEAD_ID)
        .with_for_update(skip_locked=not wait)
    )
    head = (await session.execute(stmt)).first()
    if head is None and not wait:
        exists = select(AuditChainHead.id).where(AuditChainHead.id == HEAD_ID)
        if (await session.execute(exists)).first() is not None:
            raise SealerBusy()
    if head is None:
        await session.execute(
            insert(AuditChainHead).values(id=HEAD_ID, last_id=0, last_hash=GENESIS_HASH)
        )
        return 0, GENESIS_HASH
    return head[0], head[1]


# --- the hash -----------------------------------------------------------------------------------


def row_hash(row_id: int, prev_hash: str, values: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and a canonical encoding of the row's content."""
    return hashlib.sha256(_canonical(row_id, prev_hash, values)).hexdigest()


def _canonical(row_id: int, prev_hash: str, values: Mapping[str, Any]) -> bytes:
    occurred_at: datetime = values["occurred_at"]
    content = {
        "id": row_id,
        "prev": prev_hash,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        **{k: values.get(k) for k in HASHED_FIELDS},
    }
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


# --- verifying ----------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    #: Sealed rows checked.
    checked: int = 0
    #: Rows written but not sealed yet (not a failure).
    pending: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def verify_chain(
    session: AsyncSession, *, batch: int = 1000, progress: Callable[[int], None] | None = None
) -> VerifyReport:
    """Walk the sealed rows in chain order (streaming); report every changed, missing or extra
    row and every broken link, and count the rows still pending. `progress` is told how many
    more rows were checked, every `batch` rows and at the end.

    On PostgreSQL it reads one snapshot (REPEATABLE READ), so a sealer committing meanwhile
    cannot make the end of the chain and its head disagree. Give it a fresh session.
    """
    if session.bind.dialect.name == "postgresql":
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    report = VerifyReport()
    expected_id, prev_hash = 1, GENESIS_HASH
    async for row in _sealed(session, batch):
        report.checked += 1
        position = row.id or 0  # never None: only sealed rows are streamed
        _check_row(row, position, expected_id, prev_hash, report.problems)
        expected_id, prev_hash = position + 1, row.hash or ""
        if progress is not None and report.checked % batch == 0:
            progress(batch)
    if progress is not None and report.checked % batch:
        progress(report.checked % batch)
    head = await session.get(AuditChainHead, HEAD_ID)
    if head is not None and (head.last_id, head.last_hash) != (expected_id - 1, prev_hash):
        report.problems.append(
            f"chain ends at row {expected_id - 1} but its head says row {head.last_id}"
        )
    await _count_pending(session, report)
    return report


def _check_row(
    row: AuditEvent, position: int, expected_id: int, prev_hash: str, problems: list[str]
) -> None:
    if position != expected_id:
        problems.append(f"row {position}: expected row {expected_id} (row removed?)")
    if row.prev_hash != prev_hash:
        problems.append(f"row {position}: does not link to the row before it")
    values = {k: getattr(row, k) for k in COLUMNS}
    if row_hash(position, row.prev_hash or "", values) != row.hash:
        problems.append(f"row {position}: content does not match its hash (changed?)")


async def _count_pending(session: AsyncSession, report: VerifyReport) -> None:
    stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.id.is_(None))
    report.pending = await session.scalar(stmt) or 0


async def _sealed(session: AsyncSession, batch: int) -> AsyncIterator[AuditEvent]:
    """Every sealed row by position, from the lowest (a forged row 0 or below is seen too)."""
    stmt = select(AuditEvent).where(AuditEvent.id.is_not(None)).order_by(AuditEvent.id)
    after: int | None = None
    while True:
        page = stmt if after is None else stmt.where(AuditEvent.id > after)
        rows = (await session.scalars(page.limit(batch))).all()
        if not rows:
            return
        for row in rows:
            yield row
        after = rows[-1].id
        session.expunge_all()
