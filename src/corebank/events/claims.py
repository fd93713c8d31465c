"""Claiming a batch of rows for one dispatcher, per backend, and the SQLite single-dispatcher lock.

PostgreSQL: the batch is selected `FOR UPDATE SKIP LOCKED` inside a transaction that stays open
while the work is done, so dispatchers on several instances each get disjoint rows; if one dies
its transaction rolls back and the rows become claimable again (at-least-once).

SQLite has no row locks and one writer at a time, so the rows are read, the work is done outside
any transaction (a long write transaction would stall the API), and the outcome is written in a
short one. That is only safe with one dispatcher per database file, which `SingleDispatcherLock`
enforces across processes (an flock on `<database>.dispatcher.lock`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.db import Database

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
P = TypeVar("P")
R = TypeVar("R")


class Claim(Protocol[T_co]):
    """Reads one batch in `session`; with `skip_locked`, locks it `FOR UPDATE SKIP LOCKED`."""

    def __call__(
        self, session: AsyncSession, *, skip_locked: bool
    ) -> Awaitable[Sequence[T_co]]: ...


async def process_batch(
    db: Database,
    *,
    claim: Claim[T],
    prepare: Callable[[AsyncSession, Sequence[T]], Awaitable[P]],
    work: Callable[[P], Awaitable[R]],
    apply: Callable[[AsyncSession, R], Awaitable[None]],
) -> int:
    """Claim rows, prepare (reads), work (no database), apply; return the row count."""
    if db.dialect == "postgresql":
        async with db.transaction() as session:
            rows = await claim(session, skip_locked=True)
            if not rows:
                return 0
            result = await work(await prepare(session, rows))
            await apply(session, result)
        return len(rows)
    async with db.session() as session:
        rows = await claim(session, skip_locked=False)
        if not rows:
            return 0
        prepared = await prepare(session, rows)
    result = await work(prepared)
    async with db.transaction() as session:
        await apply(session, result)
    return len(rows)


class SingleDispatcherLock:
    """An exclusive, non-blocking flock: at most one dispatcher loop per SQLite database file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._fd: int | None = None

    @classmethod
    def for_database(cls, db: Database) -> SingleDispatcherLock | None:
        """The lock for a SQLite file database; None for PostgreSQL or an in-memory database."""
        name = db.engine.url.database
        if db.dialect != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
            return None
        return cls(os.path.abspath(name) + ".dispatcher.lock")

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> bool:
        """Take the lock if free (or already ours); False when another dispatcher holds it."""
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None
