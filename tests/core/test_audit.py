"""The audit chain: rows appear only on commit, and verification finds any tampering."""

import asyncio
import hashlib
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError

from corebank.core import audit
from corebank.core.db import Database
from corebank.models import AuditEvent, OutboxEvent


async def append(db: Database, count: int, action: str = "test.action") -> None:
    for index in range(count):
        async with db.transaction() as session:
            audit.record(
                session,
                action,
                actor_id=index,
                target_type="thing",
                target_id=index,
                before={"n": index},
                after={"n": index + 1, "nested": {"b": 1, "a": [1, 2]}},
            )


async def verify(db: Database) -> audit.VerifyReport:
    async with db.session() as session:
        return await audit.verify_chain(session, batch=3)


async def tamper(db: Database, sql: str) -> None:
    """Change rows behind the append-only guard, as an attacker with table access would."""
    async with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            await connection.exec_driver_sql(sql)
        else:
            await connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            await connection.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
            await connection.exec_driver_sql(sql)


async def test_clean_chain_verifies(db: Database) -> None:
    await append(db, 7)
    report = await verify(db)
    assert report.ok, report.problems
    assert report.checked == 7


async def test_rows_exist_only_when_the_transaction_commits(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            audit.record(session, "test.rolled_back")
            raise RuntimeError("abort")
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == 0


async def test_row_carries_request_context_and_links_to_previous(db: Database) -> None:
    await append(db, 2)
    async with db.session() as session:
        rows = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    assert [r.id for r in rows] == [1, 2]
    assert rows[0].prev_hash == "0" * 64
    assert rows[1].prev_hash == rows[0].hash
    assert rows[1].after == {"n": 2, "nested": {"b": 1, "a": [1, 2]}}


async def test_changed_row_is_caught(db: Database) -> None:
    await append(db, 5)
    await tamper(db, "UPDATE audit_events SET actor_id = 999 WHERE id = 3")
    report = await verify(db)
    assert not report.ok
    assert any("row 3" in p and "changed" in p for p in report.problems)


async def test_removed_row_is_caught(db: Database) -> None:
    await append(db, 5)
    await tamper(db, "DELETE FROM audit_events WHERE id = 2")
    report = await verify(db)
    assert any("row 3" in p for p in report.problems)


async def test_removed_last_row_is_caught(db: Database) -> None:
    await append(db, 4)
    await tamper(db, "DELETE FROM audit_events WHERE id = 4")
    assert not (await verify(db)).ok


async def test_inserted_row_is_caught(db: Database) -> None:
    await append(db, 3)
    await tamper(
        db,
        "INSERT INTO audit_events (id, occurred_at, action, prev_hash, hash) "
        "VALUES (4, '2026-01-01 00:00:00', 'forged', 'x', 'y')",
    )
    report = await verify(db)
    assert any("row 4" in p for p in report.problems)


async def test_update_and_delete_are_refused_by_the_database(db: Database) -> None:
    await append(db, 1)
    for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.engine.begin() as connection:
                await connection.execute(text(statement))


async def test_concurrent_appends_keep_one_unbroken_chain(db: Database) -> None:
    await asyncio.gather(*(append(db, 3, action=f"worker.{n}") for n in range(8)))
    report = await verify(db)
    assert report.ok, report.problems
    assert report.checked == 24


async def test_several_rows_of_one_transaction_chain_in_order(db: Database) -> None:
    """PostgreSQL appends them in one call of corebank_audit_append; SQLite in Python."""
    async with db.transaction() as session:
        for n in range(3):
            audit.record(session, "test.batch", actor_id=n, after={"n": n, "text": 'é " \\ \n'})
    async with db.session() as session:
        rows = (await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all()
    assert [(r.id, r.actor_id) for r in rows] == [(1, 0), (2, 1), (3, 2)]
    assert rows[2].after == {"n": 2, "text": 'é " \\ \n'}
    report = await verify(db)
    assert report.ok, report.problems


async def test_content_that_mimics_the_cut_marks_still_verifies(db: Database) -> None:
    """Content holding the stand-in id or hash cannot be cut in three: it takes the Python path."""
    mimic = {"id": audit._ID_MARK, "prev": audit._PREV_MARK}
    async with db.transaction() as session:
        audit.record(session, "test.plain", after={"id": 1})
        audit.record(session, "test.mimic", after=mimic)
    async with db.transaction() as session:
        audit.record(session, "test.after", after={"prev": "x"})
    report = await verify(db)
    assert report.ok, report.problems
    assert report.checked == 3


def test_the_three_pieces_hash_like_row_hash() -> None:
    values = {
        "occurred_at": datetime(2026, 12, 6, 1, 2, 3, 456789, tzinfo=UTC),
        "actor_id": 7,
        "action": "transaction.posted",
        "target_type": "transaction",
        "target_id": "42",
        "before": None,
        "after": {"id": 3, "prev": "p", "amount": "1.00", "note": "ünïcode"},
        "ip": "127.0.0.1",
        "user_agent": "ua",
        "correlation_id": "c",
    }
    pieces = audit._split_canonical(values)
    assert pieces is not None
    head, middle, tail = pieces
    joined = f"{head}{1234}{middle}{'a' * 64}{tail}".encode()
    assert hashlib.sha256(joined).hexdigest() == audit.row_hash(1234, "a" * 64, values)


async def test_orm_changes_are_written_before_the_chain_is_locked(db: Database) -> None:
    """The audit head's lock orders every audited write: nothing else may run while it is held."""
    sent: list[str] = []

    def capture(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(" ".join(statement.split())[:60])

    event.listen(db.engine.sync_engine, "before_cursor_execute", capture)
    db.statement_observers.append(lambda sql, _seconds: capture(None, None, sql))  # the driver's
    try:
        async with db.transaction() as session:
            session.add(
                OutboxEvent(
                    event_id="e" * 36,
                    type="probe.orm",
                    occurred_at=datetime.now(UTC),
                    payload={},
                    attempts=0,
                )
            )
            audit.record(session, "test.orm_first")
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", capture)
    insert_at = next(i for i, s in enumerate(sent) if s.startswith("INSERT INTO outbox_events"))
    lock_at = next(
        i for i, s in enumerate(sent) if "corebank_audit_append" in s or "audit_chain_head" in s
    )
    assert insert_at < lock_at
