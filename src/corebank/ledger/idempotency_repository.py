"""The Idempotency-Key queries: the claim, the stored outcome's lookup, store and purge.

The claim, lookup and store run in every keyed money request, so they are built once
(`Prepared`) and sent with `core.sql.execute` (on PostgreSQL straight on the driver).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core import sql
from corebank.core.sql import Prepared
from corebank.models.ledger import IdempotencyKey

_CLAIM = Prepared(text("SELECT pg_try_advisory_xact_lock(hashtextextended(:k, 0))"))
_STORED_COLUMNS = (
    "user_id",
    "route",
    "key",
    "fingerprint",
    "response_status",
    "response_body",
    "created_at",
    "expires_at",
)
_STORE = Prepared(insert(IdempotencyKey), column_keys=_STORED_COLUMNS)
_KEYS = IdempotencyKey.__table__.c
_FIND = Prepared(
    select(
        _KEYS.id, _KEYS.fingerprint, _KEYS.response_status, _KEYS.response_body, _KEYS.expires_at
    ).where(
        _KEYS.user_id == bindparam("user_id"),
        _KEYS.route == bindparam("route"),
        _KEYS.key == bindparam("key"),
    )
)


@dataclass(frozen=True)
class StoredOutcome:
    """A key's row: what the first request with it was told, and until when."""

    id: int
    fingerprint: str
    response_status: int
    response_body: dict[str, Any]
    expires_at: datetime


async def try_advisory_lock(session: AsyncSession, name: str) -> bool:
    """PostgreSQL: take the transaction-level advisory lock named `name` if it is free."""
    [(got,)] = await sql.execute(session, _CLAIM, {"k": name})
    return bool(got)


async def find(
    session: AsyncSession, *, user_id: int, route: str, key: str
) -> StoredOutcome | None:
    """The row stored under (user, route, key), expired or not."""
    found = await sql.execute(session, _FIND, {"user_id": user_id, "route": route, "key": key})
    return StoredOutcome(*found[0]) if found else None


async def delete_key(session: AsyncSession, key_id: int) -> None:
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == key_id))


async def store(
    session: AsyncSession,
    *,
    user_id: int,
    route: str,
    key: str,
    fingerprint: str,
    response_status: int,
    response_body: dict[str, Any],
    created_at: datetime,
    expires_at: datetime,
) -> None:
    """Keep the outcome of the first request with (user, route, key)."""
    await sql.execute(
        session,
        _STORE,
        {
            "user_id": user_id,
            "route": route,
            "key": key,
            "fingerprint": fingerprint,
            "response_status": response_status,
            "response_body": response_body,
            "created_at": created_at,
            "expires_at": expires_at,
        },
    )


async def expired_key_ids(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Up to `limit` keys past their expiry."""
    ids = await session.scalars(
        select(IdempotencyKey.id).where(IdempotencyKey.expires_at <= now).limit(limit)
    )
    return list(ids.all())


async def delete_keys(session: AsyncSession, key_ids: list[int]) -> None:
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.id.in_(key_ids)))
