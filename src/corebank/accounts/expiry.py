"""Hold expiry: lazily when an account is touched, and by a periodic sweep.

A hold changes only while its account row is locked (accounts first, then holds), so an
expiry, a capture and a void of one hold never overlap, and the release happens exactly once:
the conditional UPDATE ... WHERE status = 'open' matches a hold at most once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts import repository
from corebank.core import audit, outbox
from corebank.core.db import Database


async def expire_locked_account_holds(
    session: AsyncSession, *, account_id: int, now: datetime
) -> list[int]:
    """Expire the account's due holds (the caller has locked the account); their amounts."""
    rows = await repository.expire_due_holds_of(session, account_id=account_id, now=now)
    if not rows:
        return []
    released = sum(amount for _, amount in rows)
    await repository.release_held(session, account_id=account_id, amount=released, now=now)
    for hold_id, amount in rows:
        payload = {"hold_id": hold_id, "account_id": account_id, "amount_minor": amount}
        audit.record(session, "hold.expired", target_type="hold", target_id=hold_id, after=payload)
        outbox.emit(session, "hold.expired", payload, aggregate_type="hold", aggregate_id=hold_id)
    return [amount for _, amount in rows]


async def has_due_holds(session: AsyncSession, *, account_id: int, now: datetime) -> bool:
    """Whether the account has an open hold past its expiry (a cheap, indexed read)."""
    return await repository.has_due_hold(session, account_id=account_id, now=now)


async def expire_account_holds(db: Database, *, account_id: int, now: datetime) -> int:
    """Lock the account and expire its due holds, in a transaction of its own."""

    async def work(session: AsyncSession) -> int:
        await repository.lock(session, account_id)
        return len(await expire_locked_account_holds(session, account_id=account_id, now=now))

    return await db.run(work)


async def expire_due_holds(db: Database, now: datetime, *, batch: int = 200) -> int:
    """Expire every open hold past its expiry (the periodic task). Returns how many expired."""
    expired = 0
    while True:
        async with db.session() as session:
            account_ids = await repository.accounts_with_due_holds(session, now=now, limit=batch)
        if not account_ids:
            return expired
        progress = 0
        for account_id in account_ids:
            progress += await expire_account_holds(db, account_id=account_id, now=now)
        if progress == 0:
            return expired
        expired += progress
