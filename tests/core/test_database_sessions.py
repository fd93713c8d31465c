"""Reads without a transaction (sessions and `fetch_row`), and the ping of idle connections."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import (
    Dialect,
    Float,
    String,
    bindparam,
    func,
    literal,
    select,
    text,
    type_coerce,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.types import TypeDecorator

from corebank.core.db import Database
from corebank.core.errors import ServiceUnavailable
from corebank.core.sql import Prepared
from corebank.models.audit import AuditChainHead
from corebank.models.base import UTCDateTime
from tests.support import (
    PG_ADMIN_DSN,
    TcpProxy,
    proxy_to_postgres,
    test_settings,
    unavailable,
)


async def _now_twice(session: Any) -> tuple[Any, Any]:
    first = await session.scalar(text("SELECT now()"))
    await asyncio.sleep(0.01)
    return first, await session.scalar(text("SELECT now()"))


async def test_read_sessions_run_each_statement_on_its_own(postgres_url: str | None) -> None:
    """PostgreSQL: no BEGIN/ROLLBACK around reads, so now() moves between two statements."""
    if postgres_url is None:
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_DSN}")
    assert postgres_url is not None
    database = Database(test_settings(postgres_url))
    try:
        async with database.read() as session:
            first, second = await _now_twice(session)
        assert second > first
        async with database.session() as session:  # a snapshot: the transaction's start time
            first, second = await _now_twice(session)
        assert second == first
    finally:
        await database.dispose()


async def test_read_sessions_see_what_was_just_committed(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(
            text("INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (2, 5, 'h')")
        )
    async with db.read() as session:
        assert await session.scalar(text("SELECT last_id FROM audit_chain_head WHERE id = 2")) == 5


@pytest.fixture
async def proxied(postgres_url: str | None) -> AsyncIterator[tuple[Database, TcpProxy]]:
    proxy, url = await proxy_to_postgres(postgres_url)
    database = Database(test_settings(url, db_pool_pre_ping=True, db_pool_ping_idle_seconds=0.05))
    yield database, proxy
    await database.dispose()
    await proxy.stop()


async def _select_one(database: Database) -> int | None:
    async with database.read() as session:
        return await session.scalar(text("SELECT 1"))


async def test_an_idle_connection_that_died_is_replaced_unseen(
    proxied: tuple[Database, TcpProxy],
) -> None:
    """A server restart while the pool sat idle costs no request: the ping finds the dead one."""
    database, proxy = proxied
    assert await _select_one(database) == 1
    await proxy.stop()  # every pooled connection is cut, as a PostgreSQL restart would
    await proxy.start()
    await asyncio.sleep(0.1)  # idle longer than DB_POOL_PING_IDLE_SECONDS
    assert await _select_one(database) == 1
    assert database.breaker.state == "closed"


async def test_a_busy_connection_is_not_pinged(proxied: tuple[Database, TcpProxy]) -> None:
    database, _ = proxied
    sent: list[str] = []
    assert await _select_one(database) == 1
    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        raw.driver_connection.add_query_logger(lambda record: sent.append(record.query))
    for _ in range(3):  # back to back: well within the idle time
        assert await _select_one(database) == 1
    assert ";" not in sent
    await asyncio.sleep(0.1)  # now idle long enough: the next checkout pings
    assert await _select_one(database) == 1
    assert sent == [";"]


class _Shouted(TypeDecorator[str]):
    """A column type whose result processing is visible: it upper-cases what it reads."""

    impl = String
    cache_ok = True

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return value.upper() if value is not None else None


_HEAD = Prepared(
    select(
        AuditChainHead.last_id,
        type_coerce(AuditChainHead.last_hash, _Shouted()),
        literal(datetime.now(UTC), UTCDateTime()),
    ).where(AuditChainHead.id == bindparam("id"))
)


async def test_fetch_row_returns_what_sqlalchemy_would(db: Database) -> None:
    async with db.transaction() as session:
        await session.execute(
            text("INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (3, 7, 'h')")
        )
    row = await db.fetch_row(_HEAD, {"id": 3})
    async with db.read() as session:
        expected = (await session.execute(_HEAD.statement, {"id": 3})).one()
    assert row == tuple(expected)
    assert row is not None and row[:2] == (7, "H")  # the column type's result processing ran
    assert row[2].tzinfo is UTC
    assert await db.fetch_row(_HEAD, {"id": 999}) is None
    with pytest.raises(SQLAlchemyError, match="A value is required for bind parameter 'id'"):
        await db.fetch_row(_HEAD, {})


async def test_fetch_row_sends_the_one_statement_and_no_begin(
    proxied: tuple[Database, TcpProxy],
) -> None:
    database, _ = proxied
    sent: list[str] = []
    assert await database.fetch_row(_HEAD, {"id": 999}) is None
    async with database.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        raw.driver_connection.add_query_logger(lambda record: sent.append(record.query))
    assert await database.fetch_row(_HEAD, {"id": 999}) is None
    await asyncio.sleep(0)  # asyncpg calls its query loggers on the next turn of the loop
    assert [q.split()[0] for q in sent] == ["SELECT"]


async def test_fetch_row_on_a_connection_cut_under_it_is_a_503_then_recovers(
    postgres_url: str | None,
) -> None:
    """A pooled connection that died while in use (no ping: it was not idle) costs one 503."""
    proxy, url = await proxy_to_postgres(postgres_url)
    database = Database(test_settings(url, db_pool_ping_idle_seconds=60))
    try:
        assert await database.fetch_row(_HEAD, {"id": 999}) is None
        await proxy.stop()
        await proxy.start()
        with pytest.raises(ServiceUnavailable):
            await database.fetch_row(_HEAD, {"id": 999})
        assert await database.fetch_row(_HEAD, {"id": 999}) is None  # the dead one left the pool
        assert database.engine.sync_engine.pool.checkedout() == 0
    finally:
        await database.dispose()
        await proxy.stop()


_SLOW = Prepared(select(func.pg_sleep(bindparam("seconds", type_=Float))))


async def test_a_statement_timeout_is_a_503_on_every_path_and_leaves_the_pool_usable(
    postgres_url: str | None,
) -> None:
    """DB_STATEMENT_TIMEOUT_MS: a read or a transaction that runs past it is a 503 (the
    transaction rolled back), not a 500, and neither counts against the breaker."""
    if postgres_url is None:
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_DSN}")
    assert postgres_url is not None
    database = Database(test_settings(postgres_url, db_statement_timeout_ms=50))
    try:
        with pytest.raises(ServiceUnavailable) as on_driver:
            await database.fetch_row(_SLOW, {"seconds": 1})
        with pytest.raises(ServiceUnavailable) as in_session:
            async with database.read() as session:
                await session.execute(text("SELECT pg_sleep(1)"))
        with pytest.raises(ServiceUnavailable):
            async with database.transaction() as session:
                await session.execute(
                    text("INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (4, 1, 'x')")
                )
                await session.execute(text("SELECT pg_sleep(1)"))
        for caught in (on_driver, in_session):
            assert caught.value.problem_type == "database-timeout"
        assert database.breaker.state == "closed"
        assert await database.fetch_row(_SLOW, {"seconds": 0}) is not None
        async with database.read() as session:
            assert (
                await session.scalar(text("SELECT count(*) FROM audit_chain_head WHERE id = 4"))
                == 0
            )
    finally:
        await database.dispose()
