"""Login lockout: consecutive failures per canonical identifier, counted atomically in SQL.

The counter lives in the database so it holds across workers and instances, and it counts
identifiers that match no user too, so a lock reveals nothing about who has an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.models.user import LoginThrottle


@dataclass(frozen=True)
class FailureOutcome:
    count: int
    locked_until: datetime | None
    newly_locked: bool


async def locked_until(session: AsyncSession, identifier: str, now: datetime) -> datetime | None:
    """When the identifier's lock ends, or None if it is not locked now."""
    until = await session.scalar(
        select(LoginThrottle.locked_until).where(LoginThrottle.identifier == identifier)
    )
    return until if until is not None and until > now else None


async def record_failure(
    session: AsyncSession,
    identifier: str,
    *,
    now: datetime,
    max_failures: int,
    lock_for: timedelta,
) -> FailureOutcome:
    """Count one failure in a single statement; the one that reaches the limit sets the lock.

    While locked the counter does not grow; after a lock has expired the count starts again.
    """
    table = LoginThrottle.__table__
    is_locked = (table.c.locked_until.is_not(None)) & (table.c.locked_until > now)
    lock_expired = (table.c.locked_until.is_not(None)) & (table.c.locked_until <= now)
    new_count = case(
        (is_locked, table.c.failed_count),
        (lock_expired, 1),
        else_=table.c.failed_count + 1,
    )
    new_lock = case(
        (is_locked, table.c.locked_until),
        (new_count >= max_failures, now + lock_for),
        else_=None,
    )
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    first_lock = now + lock_for if max_failures <= 1 else None
    stmt = (
        insert(table)
        .values(identifier=identifier, failed_count=1, locked_until=first_lock, last_failed_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.identifier],
            set_={"failed_count": new_count, "locked_until": new_lock, "last_failed_at": now},
        )
        .returning(table.c.failed_count, table.c.locked_until)
    )
    # Lock the existing row first so concurrent failures queue here and each sees the
    # committed count (SQLite serializes writers anyway).
    before = await session.scalar(
        select(LoginThrottle.locked_until)
        .where(LoginThrottle.identifier == identifier)
        .with_for_update()
    )
    count, until = (await session.execute(stmt)).one()
    was_locked = before is not None and before > now
    return FailureOutcome(
        count=count, locked_until=until, newly_locked=until is not None and not was_locked
    )


async def clear(session: AsyncSession, *identifiers: str) -> None:
    """Forget failures (after a successful login, a reset or an admin unlock)."""
    wanted = [i for i in identifiers if i]
    if wanted:
        await session.execute(delete(LoginThrottle).where(LoginThrottle.identifier.in_(wanted)))


async def reset_if_unlocked(session: AsyncSession, identifier: str, now: datetime) -> bool:
    """Zero the count after a good password unless a lock was set meanwhile; False if locked."""
    result = await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.identifier == identifier)
        .where((LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until <= now))
        .values(failed_count=0, locked_until=None)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        return True
    return await locked_until(session, identifier, now) is None
