"""Statements run in a transaction with `core.sql.execute`: on PostgreSQL straight on
the driver once the transaction has begun, and always inside it."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError, IntegrityError

from corebank.core import metrics, outbox
from corebank.core.db import Database, is_retryable
from corebank.core.errors import ServiceUnavailable
from corebank.core.sql import Prepared, as_sqlalchemy_error, execute, execute_many
from corebank.models.base import utcnow
from corebank.models.outbox import OutboxEvent
from tests.support import PG_ADMIN_DSN, TcpProxy, proxy_to_postgres, test_settings, unavailable

_INSERT_EVENT = Prepared(insert(OutboxEvent).returning(OutboxEvent.id), column_keys=outbox.COLUMNS)
_INSERT_EVENTS = Prepared(insert(OutboxEvent), column_keys=outbox.COLUMNS)
_EVENT = Prepared(
    select(OutboxEvent.type, OutboxEvent.payload, OutboxEvent.occurred_at).where(
        OutboxEvent.event_id == bindparam("event_id")
    )
)


def _event(event_id: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    now = utcnow()
    return {
        "event_id": event_id,
        "type": "test.happened",
        "version": 1,
        "occurred_at": now,
        "aggregate_type": None,
        "aggregate_id": None,
        "payload": payload or {"amount_minor": 5, "nested": {"list": [1, "two", None]}},
        "correlation_id": None,
        "published_at": None,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "broker_published_at": None,
        "broker_attempts": 0,
        "broker_next_attempt_at": now,
        "broker_last_error": None,
    }


async def _event_ids(db: Database) -> list[str]:
    async with db.read() as session:
        return list((await session.scalars(select(OutboxEvent.event_id))).all())


async def test_rows_written_and_read_are_those_sqlalchemy_writes_and_reads(db: Database) -> None:
    """JSON, time zones and RETURNING come out as on the SQLAlchemy path, on either backend."""
    async with db.transaction() as session:
        [(first_id,)] = await execute(session, _INSERT_EVENT, _event("a"))
        [(second_id,)] = await execute(session, _INSERT_EVENT, _event("b"))
        assert second_id == first_id + 1
        via_statement = await execute(session, _EVENT, {"event_id": "b"})
        via_sqlalchemy = (await session.execute(_EVENT.statement, {"event_id": "b"})).all()
    assert via_statement == [tuple(row) for row in via_sqlalchemy]
    kind, payload, occurred_at = via_statement[0]
    assert (kind, payload) == ("test.happened", _event("b")["payload"])
    assert occurred_at.utcoffset() is not None
    async with db.read() as session:
        stored = await session.get(OutboxEvent, second_id)
    assert stored is not None and stored.payload == _event("b")["payload"]


async def test_everything_a_failed_transaction_sent_is_rolled_back(db: Database) -> None:
    """The first statement (which begins the transaction) and the driver's alike."""
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await execute(session, _INSERT_EVENT, _event("first"))
            await execute(session, _INSERT_EVENT, _event("second"))
            await execute_many(session, _INSERT_EVENTS, [_event("third"), _event("fourth")])
            raise RuntimeError("the work failed")
    assert await _event_ids(db) == []


async def test_a_rolled_back_savepoint_takes_its_statements_with_it(db: Database) -> None:
    async with db.transaction() as session:
        await execute(session, _INSERT_EVENT, _event("kept"))
        with pytest.raises(RuntimeError):
            async with session.begin_nested():
                await execute_many(session, _INSERT_EVENTS, [_event("gone1"), _event("gone2")])
                raise RuntimeError("refused")
        await execute(session, _INSERT_EVENT, _event("after"))
    assert sorted(await _event_ids(db)) == ["after", "kept"]


async def test_on_postgres_only_the_statement_that_begins_goes_through_sqlalchemy(
    db: Database, backend: str
) -> None:
    through_sqlalchemy: list[str] = []

    def _seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        through_sqlalchemy.append(statement.split()[0])

    event.listen(db.engine.sync_engine, "before_cursor_execute", _seen)
    try:
        async with db.transaction() as session:
            await execute(session, _INSERT_EVENT, _event("a"))  # begins the transaction
            await execute(session, _INSERT_EVENT, _event("b"))
            await execute_many(session, _INSERT_EVENTS, [_event("c"), _event("d")])
            await execute(session, _EVENT, {"event_id": "a"})
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", _seen)
    if backend == "postgres":
        assert through_sqlalchemy == ["INSERT"]
    else:
        assert through_sqlalchemy == ["BEGIN", "INSERT", "INSERT", "INSERT", "SELECT"]
    assert sorted(await _event_ids(db)) == ["a", "b", "c", "d"]


async def test_a_read_session_never_sends_on_the_driver(db: Database) -> None:
    """Autocommit (PostgreSQL's reads): no transaction to run in, so through SQLAlchemy."""
    on_driver: list[str] = []
    db.statement_observers.append(lambda sql, _seconds: on_driver.append(sql))
    async with db.read() as session:
        for _ in range(3):
            assert await execute(session, Prepared(text("SELECT 1"))) == [(1,)]
    assert on_driver == []


async def test_a_constraint_violation_on_the_driver_is_sqlalchemys_integrity_error(
    db: Database, backend: str
) -> None:
    """Callers catch the same exception whichever way the statement went; the savepoint
    around it rolls back and the transaction goes on."""
    async with db.transaction() as session:
        await execute(session, _INSERT_EVENT, _event("taken"))
        with pytest.raises(IntegrityError) as caught:
            async with session.begin_nested():
                await execute(session, _INSERT_EVENT, _event("inner"))
                await execute(session, _INSERT_EVENT, _event("taken"))
        await execute(session, _INSERT_EVENT, _event("after"))
    assert sorted(await _event_ids(db)) == ["after", "taken"]
    if backend == "postgres":
        assert getattr(caught.value.orig, "sqlstate", None) == "23505"


def _timed_selects() -> float:
    return (
        REGISTRY.get_sample_value(
            "corebank_db_query_duration_seconds_count", {"operation": "SELECT"}
        )
        or 0.0
    )


async def test_driver_statements_are_timed_in_the_query_metrics(db: Database) -> None:
    """Every statement is timed once, whichever way it went."""
    metrics.instrument_database(db)
    async with db.transaction() as session:
        await execute(session, _INSERT_EVENT, _event("a"))
        before = _timed_selects()
        await execute(session, _EVENT, {"event_id": "a"})
        await execute(session, _EVENT, {"event_id": "b"})
    assert _timed_selects() == before + 2


def test_an_insert_whose_defaults_python_computes_must_name_them() -> None:
    table = Table(
        "t",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("name", String),
        Column("tag", String, default=lambda: "computed"),
    )
    complete = Prepared(insert(table), column_keys=["name", "tag"])
    assert complete.for_asyncpg(postgresql.asyncpg.dialect()).sql.startswith(
        "INSERT INTO t (name, tag)"
    )
    with pytest.raises(ValueError, match="tag"):
        Prepared(insert(table), column_keys=["name"]).for_asyncpg(postgresql.asyncpg.dialect())


def test_deadlocks_and_serialization_failures_from_the_driver_are_retryable() -> None:
    for error in (
        asyncpg.exceptions.DeadlockDetectedError("deadlock detected"),
        asyncpg.exceptions.SerializationError("could not serialize"),
    ):
        assert is_retryable(error)
        assert is_retryable(as_sqlalchemy_error(error, "UPDATE accounts"))
    assert not is_retryable(asyncpg.exceptions.UniqueViolationError("duplicate key"))
    assert not is_retryable(DBAPIError("x", {}, Exception("no sqlstate")))


_ADVISORY_LOCK = Prepared(text("SELECT pg_advisory_xact_lock(:k)"))


async def test_a_deadlock_on_the_driver_runs_the_transaction_again(
    postgres_url: str | None,
) -> None:
    """Two transactions take two locks in opposite orders, the second lock on the driver:
    PostgreSQL kills one, `Database.run` runs it again, and both commit. (SQLite serializes
    writers: they cannot deadlock.)"""
    if postgres_url is None:
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_DSN}")
    assert postgres_url is not None
    db = Database(test_settings(postgres_url))
    run = uuid.uuid4().hex[:8]
    causes: list[str] = []
    db.retry_listeners.append(causes.append)
    both_hold_their_first = asyncio.Barrier(2)
    attempts = {"a": 0, "b": 0}

    async def transaction(name: str, first: int, second: int) -> str:
        async def work(session: Any) -> str:
            attempts[name] += 1
            await execute(session, _ADVISORY_LOCK, {"k": first})  # begins: through SQLAlchemy
            if attempts[name] == 1:
                await both_hold_their_first.wait()
            await execute(session, _ADVISORY_LOCK, {"k": second})  # on the driver
            await execute(session, _INSERT_EVENT, _event(f"{run}-{name}"))
            return name

        return await db.run(work)

    try:
        done = await asyncio.wait_for(
            asyncio.gather(transaction("a", 1, 2), transaction("b", 2, 1)), timeout=30
        )
        assert done == ["a", "b"]
        assert causes == ["deadlock"]
        assert sorted(attempts.values()) == [1, 2]
        mine = [i for i in await _event_ids(db) if i.startswith(run)]
        assert sorted(mine) == [f"{run}-a", f"{run}-b"]
    finally:
        await db.dispose()


async def test_a_statement_timeout_on_the_driver_is_a_503_and_rolls_back(
    postgres_url: str | None,
) -> None:
    if postgres_url is None:
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_DSN}")
    assert postgres_url is not None
    database = Database(test_settings(postgres_url, db_statement_timeout_ms=50))
    run = uuid.uuid4().hex[:8]
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            async with database.transaction() as session:
                await execute(session, _INSERT_EVENT, _event(f"{run}-before"))
                async with session.begin_nested():
                    await execute(session, Prepared(text("SELECT pg_sleep(1)")))
        assert caught.value.problem_type == "database-timeout"
        assert database.breaker.state == "closed"
        assert [i for i in await _event_ids(database) if i.startswith(run)] == []
        assert database.engine.sync_engine.pool.checkedout() == 0
    finally:
        await database.dispose()


@pytest.fixture
async def cut_database(postgres_url: str | None) -> AsyncIterator[tuple[Database, TcpProxy]]:
    proxy, url = await proxy_to_postgres(postgres_url)
    database = Database(test_settings(url, db_pool_ping_idle_seconds=60))
    yield database, proxy
    await database.dispose()
    await proxy.stop()


async def _cut_and_send(session: Any, proxy: TcpProxy, run: str) -> None:
    await proxy.stop()  # every connection through the proxy is cut
    await proxy.start()
    await execute(session, _INSERT_EVENT, _event(f"{run}-lost"))  # on the driver: gone


@pytest.mark.parametrize("in_savepoint", [False, True])
async def test_a_connection_lost_mid_transaction_is_a_503_and_the_pool_recovers(
    cut_database: tuple[Database, TcpProxy], in_savepoint: bool
) -> None:
    database, proxy = cut_database
    run = uuid.uuid4().hex[:8]
    with pytest.raises(ServiceUnavailable):
        async with database.transaction() as session:
            await execute(session, _INSERT_EVENT, _event(f"{run}-before"))  # begins it
            if in_savepoint:
                async with session.begin_nested():
                    await execute(session, _INSERT_EVENT, _event(f"{run}-inside"))
                    await _cut_and_send(session, proxy, run)
            else:
                await _cut_and_send(session, proxy, run)
    async with database.transaction() as session:
        await execute(session, _INSERT_EVENT, _event(f"{run}-after"))
        await execute(session, _INSERT_EVENT, _event(f"{run}-after2"))
    mine = [i for i in await _event_ids(database) if i.startswith(run)]
    assert sorted(mine) == [f"{run}-after", f"{run}-after2"]
    assert database.engine.sync_engine.pool.checkedout() == 0
