"""The database: engine per backend, sessions, and transactions that commit before replying."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from typing import Any, TypeVar

import asyncpg
import structlog
from sqlalchemy import event, text
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import await_, greenlet_spawn

from corebank.config import Settings
from corebank.core import audit, outbox
from corebank.core.errors import ServiceUnavailable, ValidationFailed
from corebank.core.gate import FifoGate
from corebank.core.replica import reads_stay_on_primary
from corebank.core.resilience import CircuitBreaker, CircuitOpenError, retry_async
from corebank.core.sql import SESSION_DATABASE_KEY, Prepared, is_driver_failure

log = structlog.get_logger(__name__)
T = TypeVar("T")

#: SQLSTATEs worth running the whole transaction again for.
RETRYABLE_SQLSTATES = {"40001", "40P01"}  # serialization failure, deadlock detected
SQLITE_BUSY_TIMEOUT_MS = 5000
WRITE_OPTION = "corebank_write"
#: A ping that gets no answer (a proxy that silently dropped the idle flow) gives up this soon.
PING_TIMEOUT_SECONDS = 2.0
#: Where a read that may use the replica ran: the replica, the primary by choice (no replica,
#: or the client just wrote), or the primary because the replica failed or its breaker is open.
PRIMARY, REPLICA, FALLBACK = "primary", "replica", "fallback"
#: A hot standby cancels a query whose rows recovery must remove (40001): the primary answers.
RECOVERY_CONFLICT_SQLSTATES = {"40001"}


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)


def is_retryable(exc: BaseException) -> bool:
    """A failure that means 'run the same transaction again': serialization or deadlock
    (raised through SQLAlchemy or, for a statement sent on the driver, by asyncpg)."""
    return _any_sqlstate(exc) in RETRYABLE_SQLSTATES


#: SQLSTATE classes of a server that cannot serve us now: 08 connection exceptions, 53
#: insufficient resources (53300: too many connections), 57P0x shutting down or starting up.
_UNAVAILABLE_SQLSTATE_PREFIXES = ("08", "53", "57P01", "57P02", "57P03")


def is_connection_failure(exc: BaseException) -> bool:
    """A failure of the database itself (unreachable, dropped, full, timed out), not of the
    caller."""
    if isinstance(exc, PoolTimeoutError | ConnectionError | OSError | asyncio.TimeoutError):
        return True
    if (_any_sqlstate(exc) or "").startswith(_UNAVAILABLE_SQLSTATE_PREFIXES):
        return True
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OperationalError) and not is_retryable(exc)


def _sqlite_engine(settings: Settings) -> AsyncEngine:
    engine = create_async_engine(
        settings.database_url,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        hide_parameters=True,  # error messages must not carry password hashes or e-mails
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA foreign_keys=ON",
            f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
            "PRAGMA synchronous=FULL",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front, so two writers queue on busy_timeout instead
        # of failing when a read transaction tries to upgrade.
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _postgres_engine(settings: Settings, *, url: str, timeout: float) -> AsyncEngine:
    server_settings = {"application_name": "corebank"}
    if settings.db_statement_timeout_ms:
        server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=timeout,
        pool_recycle=settings.db_pool_recycle,
        hide_parameters=True,
        connect_args={"server_settings": server_settings, "timeout": timeout},
    )
    if settings.db_pool_pre_ping:
        _ping_idle_connections(engine, idle_seconds=settings.db_pool_ping_idle_seconds)
    return engine


def _ping_idle_connections(engine: AsyncEngine, *, idle_seconds: float) -> None:
    """Check a pooled connection with one `;` before use, but only after it sat idle.

    SQLAlchemy's own `pool_pre_ping` pings on every checkout, and on asyncpg that is three
    round trips (BEGIN, `;`, ROLLBACK). A connection that was in use a moment ago is very
    unlikely to be dead, and if it is, the statement fails, the pool is invalidated and that
    request gets a 503 like any other outage; the ping is for connections that sat idle long
    enough for a server restart or a proxy timeout to have closed them. A failed (or, after
    PING_TIMEOUT_SECONDS, unanswered) ping makes the pool discard that connection and open a
    new one, invisibly to the caller.
    """
    pool = engine.sync_engine.pool

    @event.listens_for(pool, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            await_(dbapi_connection.driver_connection.fetchrow(";", timeout=PING_TIMEOUT_SECONDS))
        except Exception as exc:
            raise DisconnectionError("the idle connection failed its ping") from exc


def create_engine(settings: Settings) -> AsyncEngine:
    """An engine configured for the backend that DATABASE_URL names."""
    if settings.is_sqlite:
        return _sqlite_engine(settings)
    return _postgres_engine(settings, url=settings.database_url, timeout=settings.db_pool_timeout)


def create_replica_engine(settings: Settings) -> AsyncEngine | None:
    """The engine of DATABASE_REPLICA_URL (None when unset): the primary's pool settings, but
    REPLICA_TIMEOUT_SECONDS to get a connection, so an unreachable replica costs little."""
    if not settings.database_replica_url or settings.is_sqlite:
        return None
    return _postgres_engine(
        settings, url=settings.database_replica_url, timeout=settings.replica_timeout_seconds
    )


class Database:
    """Owns the engine; hands out sessions and transactions that map outages to 503."""

    def __init__(
        self,
        settings: Settings,
        engine: AsyncEngine | None = None,
        *,
        replica_engine: AsyncEngine | None = None,
    ) -> None:
        self.settings = settings
        self.engine = engine or create_engine(settings)
        #: The read replica (DATABASE_REPLICA_URL), asked for by `replica_read` only.
        self.replica_engine = replica_engine or create_replica_engine(settings)
        #: Told where each read that may use the replica ran (PRIMARY, REPLICA or FALLBACK).
        self.routing_listeners: list[Callable[[str], None]] = []
        self.breaker_listeners: list[Callable[[str], None]] = []
        self.failure_listeners: list[Callable[[], None]] = []
        self.retry_listeners: list[Callable[[str], None]] = []
        #: Told (SQL, seconds) of each statement sent on the driver, which SQLAlchemy's
        #: cursor events do not see.
        self.statement_observers: list[Callable[[str, float], None]] = []
        self.breaker = CircuitBreaker(
            "database",
            failure_threshold=settings.db_breaker_failures,
            reset_timeout=settings.db_breaker_reset_seconds,
            is_failure=self._counts_as_failure,
            on_state_change=self._on_breaker_change,
        )
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.reader = (
            async_sessionmaker(
                self.engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )
            if self.dialect == "postgresql"
            else self.sessionmaker
        )
        self.replica_reader = (
            None
            if self.replica_engine is None
            else async_sessionmaker(
                self.replica_engine.execution_options(isolation_level="AUTOCOMMIT"),
                expire_on_commit=False,
            )
        )
        #: Opens at the replica's first connection failure; while open, replica reads go to
        #: the primary, and every REPLICA_RETRY_SECONDS one read tries the replica again.
        self.replica_breaker = CircuitBreaker(
            "database-replica",
            failure_threshold=1,
            reset_timeout=settings.replica_retry_seconds,
            is_failure=is_connection_failure,
            on_state_change=lambda _, old, new: log.warning(
                "database.replica_breaker", old=old, new=new
            ),
        )
        self.transaction_hooks: list[Callable[[AsyncSession], Awaitable[None]]] = [
            outbox.flush_pending
        ]
        #: Told the session's `info` when each transaction ends, committed or not (the session
        #: cache announces what it changed: an extra announcement is harmless, a missed one not).
        self.commit_hooks: list[Callable[[dict[str, Any]], Awaitable[None]]] = []
        #: First come, first served in front of the pool (PostgreSQL; SQLite has no pool).
        self.gate = (
            FifoGate(
                settings.db_pool_size + settings.db_max_overflow, timeout=settings.db_pool_timeout
            )
            if self.dialect == "postgresql"
            else None
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def _session_info(self) -> dict[str, Any]:
        return {SESSION_DATABASE_KEY: self}

    def observe_statement(self, sql: str, seconds: float) -> None:
        for observer in self.statement_observers:
            observer(sql, seconds)

    def _place(self) -> AbstractAsyncContextManager[None]:
        """A place in the queue for a pooled connection (see core/gate.py)."""
        return self.gate.place() if self.gate is not None else nullcontext()

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; its implicit transaction is rolled back at the end."""
        try:
            async with (
                self._guarded(),
                self._place(),
                self.sessionmaker(info=self._session_info) as session,
            ):
                yield session
        except Exception as exc:
            _reraise_as_unavailable(exc)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads that write nothing and lock nothing (most often one statement).

        On PostgreSQL it runs without a transaction (autocommit), which saves the BEGIN and
        ROLLBACK round trips of `session()`; each statement sees a consistent snapshot of its
        own, as it would in `session()` (READ COMMITTED). Use `session()` or `transaction()` for
        anything that locks rows or must run inside one transaction.
        """
        try:
            async with (
                self._guarded(),
                self._place(),
                self.reader(info=self._session_info) as session,
            ):
                yield session
        except Exception as exc:
            _reraise_as_unavailable(exc)

    async def fetch_row(self, query: Prepared, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """The first row of `query` (None if there is none), read like `read()` would.

        For the reads every request makes (the session check, the account read). On
        PostgreSQL it runs on the pooled asyncpg connection directly, outside any transaction;
        a connection that fails under it is discarded from the pool and the caller gets a 503,
        as on the SQLAlchemy path.
        """
        rows = await self._fetch(query, params, first=True)
        return rows[0] if rows else None

    async def fetch_all(
        self, query: Prepared, params: Mapping[str, Any], *, replica: bool = False
    ) -> list[tuple[Any, ...]]:
        """Every row of `query`, read like `fetch_row` reads one; with `replica`, routed like
        `replica_read` (for reads that may lag)."""
        if not replica:
            return await self._fetch(query, params, first=False)
        return await self._routed(
            lambda: self._fetch_on_replica(query, params),
            lambda: self._fetch(query, params, first=False),
        )

    async def _fetch_on_replica(
        self, query: Prepared, params: Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        assert self.replica_engine is not None
        driver = query.for_asyncpg(self.replica_engine.dialect)
        records = await self._fetch_on_driver(
            driver.sql, driver.arguments(params), first=False, engine=self.replica_engine
        )
        return driver.rows(records)

    async def _fetch(
        self, query: Prepared, params: Mapping[str, Any], *, first: bool
    ) -> list[tuple[Any, ...]]:
        if self.dialect != "postgresql":
            async with self.read() as session:
                result = await session.execute(query.statement, params)
                found = [result.first()] if first else result.all()
            return [tuple(row) for row in found if row is not None]
        driver = query.for_asyncpg(self.engine.dialect)
        args = driver.arguments(params)
        try:
            async with self._guarded(), self._place():
                records = await self._fetch_on_driver(driver.sql, args, first=first)
        except Exception as exc:
            _reraise_as_unavailable(exc)
        return driver.rows(records)

    async def _fetch_on_driver(
        self, sql: str, args: list[Any], *, first: bool, engine: AsyncEngine | None = None
    ) -> list[Any]:
        """Check a connection out of the pool (its checkout events, the idle ping, run as
        usual), run `sql` on the driver, check it back in; a dead connection is discarded."""
        try:
            pooled = await greenlet_spawn((engine or self.engine).sync_engine.raw_connection)
        except Exception as exc:  # no connection to be had: the database's failure, not ours
            if is_connection_failure(exc):
                raise
            raise ConnectionError(f"no database connection: {type(exc).__name__}") from exc
        started = time.perf_counter()
        try:
            if first:
                record = await pooled.driver_connection.fetchrow(sql, *args)
                found = [] if record is None else [record]
            else:
                found = await pooled.driver_connection.fetch(sql, *args)
            self.observe_statement(sql, time.perf_counter() - started)
            return found
        except Exception as exc:
            if not is_driver_failure(exc):
                raise
            await greenlet_spawn(pooled.invalidate)
            raise ConnectionError(f"database connection failed: {type(exc).__name__}") from exc
        finally:
            await greenlet_spawn(pooled.close)

    async def replica_read(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """`work(session)` on the read replica, for reads that may lag the primary by a moment
        (history, statements, balance as of, customer lists); never for anything that decides a
        change or checks a right.

        The primary runs it instead when there is no replica, when the client has just written
        (core/replica.py), and when the replica fails or its breaker is open (`work` then runs
        again from the start: it must only read).
        """

        async def on_primary() -> T:
            async with self.read() as session:
                return await work(session)

        async def on_replica() -> T:
            assert self.replica_reader is not None
            async with self.replica_reader(info=self._session_info) as session:
                return await work(session)

        return await self._routed(on_replica, on_primary)

    async def _routed(
        self, on_replica: Callable[[], Awaitable[T]], on_primary: Callable[[], Awaitable[T]]
    ) -> T:
        if self.replica_engine is None or reads_stay_on_primary():
            self._routed_to(PRIMARY)
            return await on_primary()
        try:
            async with self.replica_breaker:
                result = await on_replica()
        except CircuitOpenError:
            pass
        except Exception as exc:
            if not _replica_failure(exc):
                _reraise_as_unavailable(exc)
            log.warning("database.replica_failed", error=type(exc).__name__)
        else:
            self._routed_to(REPLICA)
            return result
        self._routed_to(FALLBACK)
        return await on_primary()

    def _routed_to(self, target: str) -> None:
        for listener in self.routing_listeners:
            listener(target)

    async def ping_replica(self) -> None:
        """Raise unless the replica answers a trivial query (the health probe's check)."""
        assert self.replica_engine is not None
        async with self.replica_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[AsyncSession]:
        """A unit of work: commits when the block ends cleanly, rolls back otherwise.

        Hooks registered in `transaction_hooks` (the outbox, the cache) run just before the
        commit, then the audit rows are inserted, unsealed (no shared row is locked). Every
        `commit_hooks` is given the session's info when the transaction ends, committed or not:
        the session cache announces what changed, the audit sealer seals what was written.
        """
        info: dict[str, Any] | None = None
        try:
            async with (
                self._guarded(),
                self._place(),
                self.sessionmaker(info=self._session_info) as session,
            ):
                info = session.info
                await session.connection(execution_options={WRITE_OPTION: write})
                yield session
                await session.flush()  # the ORM's changes, before the hooks' own statements
                for hook in self.transaction_hooks:
                    await hook(session)
                await audit.write_pending(session)
                await session.commit()
        except Exception as exc:
            _reraise_as_unavailable(exc)
        finally:
            # Also after a failure: a COMMIT whose acknowledgement was lost may have committed.
            if info is not None:
                await self._run_commit_hooks(info)

    async def _run_commit_hooks(self, info: dict[str, Any]) -> None:
        for hook in self.commit_hooks:
            try:
                await hook(info)
            except Exception:
                log.exception("database.commit_hook_failed")

    def _counts_as_failure(self, exc: BaseException) -> bool:
        failed = is_connection_failure(exc)
        if failed:
            for listener in self.failure_listeners:
                listener()
        return failed

    def _on_breaker_change(self, name: str, old: str, new: str) -> None:
        log.warning("database.breaker", old=old, new=new)
        for listener in self.breaker_listeners:
            listener(new)

    def _retry_on(self, exc: BaseException) -> bool:
        if not is_retryable(exc):
            return False
        cause = "deadlock" if _any_sqlstate(exc) == "40P01" else "serialization"
        for listener in self.retry_listeners:
            listener(cause)
        return True

    @asynccontextmanager
    async def _guarded(self) -> AsyncIterator[None]:
        """The circuit breaker: after repeated connection failures, fail fast with 503."""
        try:
            async with self.breaker:
                yield
        except CircuitOpenError as exc:
            raise ServiceUnavailable(
                "The database is unavailable; try again shortly.",
                type="database-unavailable",
                headers={"Retry-After": str(max(1, math.ceil(exc.retry_after)))},
            ) from None

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, attempts: int = 5) -> T:
        """Run `work` in a write transaction, again from the start on deadlock/serialization."""

        async def once() -> T:
            async with self.transaction() as session:
                return await work(session)

        return await retry_async(once, attempts=attempts, retry_on=self._retry_on)

    async def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.replica_engine is not None:
            await self.replica_engine.dispose()


#: PostgreSQL refuses text it cannot store (a NUL character): the caller's input, so a 422.
UNSTORABLE_TEXT_SQLSTATES = {"22021", "22P05"}
#: The statement ran past DB_STATEMENT_TIMEOUT_MS (or was cancelled): the database is too slow.
QUERY_CANCELED_SQLSTATE = "57014"


def _any_sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE of a failure from SQLAlchemy or straight from the driver."""
    if isinstance(exc, DBAPIError):
        return _sqlstate(exc)
    return exc.sqlstate if isinstance(exc, asyncpg.PostgresError) else None


def _replica_failure(exc: BaseException) -> bool:
    """A failure of the replica that the primary would not have: it is unreachable (or
    failing), or a hot standby cancelled the query for a conflict with recovery."""
    return is_connection_failure(exc) or _any_sqlstate(exc) in RECOVERY_CONFLICT_SQLSTATES


def _reraise_as_unavailable(exc: Exception) -> None:
    """Re-raise `exc`: as a 503 when the database itself failed or timed out, as a 422 for
    unstorable text. A timeout does not count against the circuit breaker: the database
    answered, slowly, and one slow query must not fail every request fast."""
    sqlstate = _any_sqlstate(exc)
    if sqlstate in UNSTORABLE_TEXT_SQLSTATES:
        raise ValidationFailed(
            "Text fields must not contain NUL characters.", type="invalid-characters"
        ) from exc
    if sqlstate == QUERY_CANCELED_SQLSTATE:
        log.warning("database.timeout")
        raise ServiceUnavailable(
            "The database did not answer in time; try again shortly.",
            type="database-timeout",
            headers={"Retry-After": "1"},
        ) from exc
    if isinstance(exc, ServiceUnavailable) or not is_connection_failure(exc):
        raise exc
    log.warning("database.unavailable", error=type(exc).__name__)
    raise ServiceUnavailable(
        "The database is unavailable; try again shortly.",
        type="database-unavailable",
        headers={"Retry-After": "5"},
    ) from exc
