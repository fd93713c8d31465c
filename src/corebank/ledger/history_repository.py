"""Reading an account's journal: its history page, its balance as of a moment, statement lines."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from corebank.core.db import Database
from corebank.core.sql import Prepared
from corebank.models.base import UTCDateTime
from corebank.models.ledger import JournalEntry, Posting

_REVERSAL = aliased(JournalEntry, name="reversal")
# Columns, not entities: a page is up to 51 rows, and loading each as two ORM objects cost more
# CPU than the query.
_HISTORY: Select[Any] = (
    select(
        Posting.id,
        Posting.amount_minor,
        Posting.balance_after_minor,
        Posting.created_at,
        JournalEntry.id,
        JournalEntry.type,
        JournalEntry.description,
        JournalEntry.correlation_id,
        _REVERSAL.id,
    )
    .join(JournalEntry, JournalEntry.id == Posting.entry_id)
    .outerjoin(_REVERSAL, _REVERSAL.reverses_entry_id == JournalEntry.id)
    .where(Posting.account_id == bindparam("account_id"))
)
#: The page's optional filters: (parameter, condition). Every value is a parameter, so each
#: combination of filters is one statement, built and prepared once.
_FILTERS: tuple[tuple[str, Any], ...] = (
    ("start", Posting.created_at >= bindparam("start", type_=UTCDateTime())),
    ("end", Posting.created_at < bindparam("end", type_=UTCDateTime())),
    ("type", JournalEntry.type == bindparam("type")),
    ("after", Posting.id < bindparam("after")),
    # The amount on this account: for every entry but a multi-leg one the transaction's amount;
    # for a multi-leg one this leg's, so the filter tells nothing of the other legs.
    ("min_amount", func.abs(Posting.amount_minor) >= bindparam("min_amount")),
    ("max_amount", func.abs(Posting.amount_minor) <= bindparam("max_amount")),
)


@functools.cache
def _history_page(filters: frozenset[str]) -> Prepared:
    stmt = _HISTORY
    for name, condition in _FILTERS:
        if name in filters:
            stmt = stmt.where(condition)
    return Prepared(stmt.order_by(Posting.id.desc()).limit(bindparam("limit")))


async def history_page(
    db: Database, *, account_id: int, filters: Mapping[str, Any], limit: int, replica: bool
) -> list[tuple[Any, ...]]:
    """Up to `limit` of the account's postings, newest first, each as (posting id, amount,
    balance after, created at, entry id, type, description, correlation id, reversal id).

    `filters` gives the filters in use and their values: start, end, type, after (postings
    below this id), min_amount, max_amount. With `replica`, read where `db.replica_read` would."""
    query = _history_page(frozenset(filters))
    params = {**filters, "account_id": account_id, "limit": limit}
    return await db.fetch_all(query, params, replica=replica)


async def sum_before(session: AsyncSession, account_id: int, moment: datetime) -> int:
    """The sum of the account's postings made before `moment`."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Posting.amount_minor), 0)).where(
            Posting.account_id == account_id, Posting.created_at < moment
        )
    )
    return int(total or 0)


async def statement_lines(
    session: AsyncSession, *, account_id: int, start: datetime, end: datetime, limit: int
) -> list[tuple[Posting, JournalEntry]]:
    """Up to `limit` of the account's postings in [start, end), oldest first, with entries."""
    rows = await session.execute(
        select(Posting, JournalEntry)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            Posting.account_id == account_id,
            Posting.created_at >= start,
            Posting.created_at < end,
        )
        .order_by(Posting.created_at, Posting.id)
        .limit(limit)
    )
    return [(posting, entry) for posting, entry in rows.all()]
