"""Statements sent straight on the asyncpg connection: compiled once, bound and read as
SQLAlchemy would, for the paths where SQLAlchemy's per-statement machinery cost more CPU than
the statement itself (see docs/performance.md)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import asyncpg
from sqlalchemy import Dialect, Executable, Insert
from sqlalchemy.exc import DBAPIError, IntegrityError, InvalidRequestError, ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


@dataclass(frozen=True)
class _DriverStatement:
    sql: str
    #: (name, required, default, bind processor) per positional parameter
    binds: list[tuple[str, bool, Any, Callable[[Any], Any] | None]]
    results: list[Callable[[Any], Any] | None]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional arguments; like SQLAlchemy, a required parameter must be given."""
        values = []
        for name, required, default, processor in self.binds:
            if name not in params and required:
                raise InvalidRequestError(f"A value is required for bind parameter {name!r}")
            value = params.get(name, default)
            values.append(value if processor is None else processor(value))
        return values

    def rows(self, records: list[Any]) -> list[tuple[Any, ...]]:
        """The driver's records with each column's result processing applied."""
        if not any(self.results) or not records:
            return [tuple(record) for record in records]
        return [
            tuple(v if p is None else p(v) for v, p in zip(record, self.results, strict=True))
            for record in records
        ]


class Prepared:
    """A statement built once and sent by `Database.fetch_row` or `execute` as cheaply as the
    backend allows.

    On PostgreSQL the statement is compiled once to asyncpg's SQL, and every call sends it
    straight on the driver, with the columns' bind and result processing applied as
    SQLAlchemy would: the same values for a fraction of the CPU (no execution context, result
    object or greenlet hop per statement). Elsewhere it runs through SQLAlchemy as usual.

    An INSERT names its columns (`column_keys`): compiled without them it would bind every
    column, the primary key included. A column whose default SQLAlchemy computes in Python
    must be given, since the driver path does not compute it (refused when compiled).

    The compiled form is kept on the object, for every engine of the process: they are all
    asyncpg engines with the same settings. A result column whose processing needs the
    driver's type code (Numeric) fails when first compiled, not silently.
    """

    def __init__(self, statement: Executable, *, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._driver: _DriverStatement | None = None

    def for_asyncpg(self, dialect: Dialect) -> _DriverStatement:
        if self._driver is None:
            compiled = self.statement.compile(
                dialect=dialect,
                column_keys=self.column_keys,
                # an INSERT without returning() gets no implicit RETURNING of its key
                for_executemany=isinstance(self.statement, Insert),
            )
            defaults = [c.key for c in (*compiled.insert_prefetch, *compiled.update_prefetch)]
            if defaults:
                raise ValueError(f"give these columns, their defaults are Python's: {defaults}")
            binds = []
            for name in compiled.positiontup or ():
                bind = compiled.binds[name]
                processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
                binds.append((name, bind.required, bind.effective_value, processor))
            results = [
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in getattr(self.statement, "exported_columns", ())
            ]
            self._driver = _DriverStatement(str(compiled), binds, results)
        return self._driver


#: What the driver raises when the connection is gone, rather than the query failing: SQLSTATE
#: class 08 (connection exception) and the server shutting down or restarting (57P01-57P03).
#: Anything else (a statement timeout, say) leaves the connection usable and is raised as is,
#: as the SQLAlchemy path does.
_SERVER_GONE_SQLSTATES = ("57P01", "57P02", "57P03")


def is_driver_failure(exc: BaseException) -> bool:
    if isinstance(exc, asyncpg.PostgresError):
        sqlstate = exc.sqlstate or ""
        return sqlstate.startswith("08") or sqlstate in _SERVER_GONE_SQLSTATES
    return isinstance(exc, asyncpg.InterfaceError | OSError | TimeoutError)


def as_sqlalchemy_error(exc: asyncpg.PostgresError, sql: str) -> DBAPIError:
    """The exception SQLAlchemy raises for `exc` on its own path (its asyncpg adapter's
    mapping), so callers catch the same types whichever way a statement went: a constraint
    violation is an IntegrityError, with the driver's error (and SQLSTATE) as `orig`."""
    kind: type[DBAPIError] = DBAPIError
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        kind = IntegrityError
    elif isinstance(exc, asyncpg.exceptions.SyntaxOrAccessError):
        kind = ProgrammingError
    return kind(sql, None, exc, hide_parameters=True)


#: Where a session keeps the Database it came from (for the driver statements' metrics).
SESSION_DATABASE_KEY = "corebank.database"
#: Where a session keeps (its innermost transaction, the asyncpg connection under it).
_DRIVER_KEY = "corebank.driver"


async def execute(
    session: AsyncSession, query: Prepared, params: Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Run `query` in the session's transaction; its rows (an empty list if it returns none).

    On PostgreSQL, once the transaction has begun, the statement goes straight on the asyncpg
    connection under the session (see `Prepared`), inside that same transaction and its
    savepoints. A statement that would begin the transaction goes through SQLAlchemy, which
    sends the BEGIN and owns the transaction, its savepoints, COMMIT and ROLLBACK; so no
    statement ever runs outside it.
    """
    params = params or {}
    driver = await _driver_in_transaction(session)
    if driver is None:
        result = await (await session.connection()).execute(query.statement, params)
        return [tuple(row) for row in result.all()] if result.returns_rows else []
    statement = query.for_asyncpg(session.bind.dialect)
    args = statement.arguments(params)
    records = await _on_driver(session, statement.sql, driver.fetch(statement.sql, *args))
    return statement.rows(records)


async def execute_many(
    session: AsyncSession, query: Prepared, rows: Sequence[Mapping[str, Any]]
) -> None:
    """Run `query` (an INSERT, say) once per parameter set, in one round trip where it can."""
    if len(rows) <= 1:  # the driver's executemany costs more than one plain execute
        for params in rows:
            await execute(session, query, params)
        return
    driver = await _driver_in_transaction(session)
    if driver is None:
        await (await session.connection()).execute(query.statement, list(rows))
        return
    statement = query.for_asyncpg(session.bind.dialect)
    batch = [statement.arguments(params) for params in rows]
    await _on_driver(session, statement.sql, driver.executemany(statement.sql, batch))


async def _driver_in_transaction(session: AsyncSession) -> Any | None:
    """The asyncpg connection under `session` if its transaction has begun, else None.

    Looked up once per (sub)transaction and kept in `session.info` with it, since
    `AsyncSession.connection()` costs a greenlet hop (a tenth of a transfer's CPU) on every
    call. Not once per session: that call is also what sends a savepoint's SAVEPOINT, which
    SQLAlchemy defers until `begin_nested()`'s block first needs the connection.
    """
    if session.bind.dialect.name != "postgresql":
        return None
    known = session.info.get(_DRIVER_KEY)
    if known is not None and known[0] is _innermost_transaction(session):
        driver = known[1]
    else:
        connection = await session.connection()
        driver = (await connection.get_raw_connection()).driver_connection
        session.info[_DRIVER_KEY] = (_innermost_transaction(session), driver)
    return driver if driver.is_in_transaction() else None


def _innermost_transaction(session: AsyncSession) -> Any:
    sync_session = session.sync_session
    return sync_session.get_nested_transaction() or sync_session.get_transaction()


async def _on_driver(session: AsyncSession, sql: str, sent: Awaitable[T]) -> T:
    """Await a statement sent on the driver; time it; a lost connection is a ConnectionError
    (SQLAlchemy finds the connection gone at the rollback and discards it)."""
    started = time.perf_counter()
    try:
        outcome = await sent
    except Exception as exc:
        if is_driver_failure(exc):
            raise ConnectionError(f"database connection failed: {type(exc).__name__}") from exc
        if isinstance(exc, asyncpg.PostgresError):
            raise as_sqlalchemy_error(exc, sql) from exc
        raise
    database = session.info.get(SESSION_DATABASE_KEY)
    if database is not None:
        database.observe_statement(sql, time.perf_counter() - started)
    return outcome
