"""The queries of `corebank ledger verify`: the whole journal and every account, in batches by
id (so memory stays flat), with the sums computed by the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from corebank.models.account import Account
from corebank.models.ledger import EntryType, Hold, HoldStatus, JournalEntry, Posting

Reversed = aliased(JournalEntry)


async def use_repeatable_read(session: AsyncSession) -> None:
    """PostgreSQL: run the session's transaction in one snapshot (REPEATABLE READ)."""
    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


async def _batches(
    session: AsyncSession, stmt: Any, key: Any, batch: int
) -> AsyncIterator[list[Any]]:
    after: Any = None
    while True:
        page = stmt if after is None else stmt.where(key > after)
        rows = (await session.execute(page.order_by(key).limit(batch))).all()
        if not rows:
            return
        yield list(rows)
        after = rows[-1][0]


def entries(session: AsyncSession, batch: int, *, after_id: int = 0) -> AsyncIterator[list[Any]]:
    """Every entry with id > `after_id` as (id, type, currency, amount, the type of the entry
    it reverses), `batch` at a time, by id."""
    reversed_type = (
        select(Reversed.type).where(Reversed.id == JournalEntry.reverses_entry_id).scalar_subquery()
    )
    stmt = select(
        JournalEntry.id,
        JournalEntry.type,
        JournalEntry.currency,
        JournalEntry.amount_minor,
        reversed_type,
    ).where(JournalEntry.id > after_id)
    return _batches(session, stmt, JournalEntry.id, batch)


async def posting_sums(
    session: AsyncSession, first_entry_id: int, last_entry_id: int
) -> dict[int, dict[str, tuple[int, int, int]]]:
    """Per entry in the id range, per currency of the accounts posted to: (sum, count, sum of
    credits)."""
    rows = await session.execute(
        select(
            Posting.entry_id,
            Account.currency,
            func.sum(Posting.amount_minor),
            func.count(),
            func.sum(case((Posting.amount_minor > 0, Posting.amount_minor), else_=0)),
        )
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.entry_id.between(first_entry_id, last_entry_id))
        .group_by(Posting.entry_id, Account.currency)
    )
    sums: dict[int, dict[str, tuple[int, int, int]]] = {}
    for entry_id, currency, total, count, credits in rows:
        sums.setdefault(entry_id, {})[currency] = (int(total), int(count), int(credits))
    return sums


async def currency_totals(session: AsyncSession) -> list[tuple[str, int]]:
    """Per currency, the sum of all postings to its accounts."""
    rows = await session.execute(
        select(Account.currency, func.sum(Posting.amount_minor))
        .join(Account, Account.id == Posting.account_id)
        .group_by(Account.currency)
    )
    return [(currency, total) for currency, total in rows]


def posting_chains(session: AsyncSession, batch: int) -> AsyncIterator[list[Any]]:
    """Every posting as (account id, id, amount, balance after), `batch` at a time, by account
    and id."""
    stmt = select(Posting.account_id, Posting.id, Posting.amount_minor, Posting.balance_after_minor)
    return by_account_and_id(session, stmt, batch)


async def by_account_and_id(
    session: AsyncSession, stmt: Any, batch: int
) -> AsyncIterator[list[Any]]:
    """Rows of `stmt` (postings, its first two columns the account id and the posting id),
    `batch` at a time, ordered by account and id (keyset paging on the pair)."""
    after: tuple[int, int] | None = None
    while True:
        page = stmt
        if after is not None:
            page = stmt.where(
                or_(
                    Posting.account_id > after[0],
                    and_(Posting.account_id == after[0], Posting.id > after[1]),
                )
            )
        rows = (
            await session.execute(page.order_by(Posting.account_id, Posting.id).limit(batch))
        ).all()
        if not rows:
            return
        yield list(rows)
        after = (rows[-1][0], rows[-1][1])


def accounts_with_sums(session: AsyncSession, batch: int) -> AsyncIterator[list[Any]]:
    """Every account as (id, kind, status, balance, held, overdraft limit, sum of postings,
    sum of open holds), `batch` at a time, by id."""
    posted = (
        select(func.coalesce(func.sum(Posting.amount_minor), 0))
        .where(Posting.account_id == Account.id)
        .scalar_subquery()
    )
    held = (
        select(func.coalesce(func.sum(Hold.amount_minor), 0))
        .where(Hold.account_id == Account.id, Hold.status == HoldStatus.open)
        .scalar_subquery()
    )
    accounts = select(
        Account.id,
        Account.kind,
        Account.status,
        Account.balance_minor,
        Account.held_minor,
        Account.overdraft_limit_minor,
        posted,
        held,
    )
    return _batches(session, accounts, Account.id, batch)


async def reversal_took_money_out(session: AsyncSession, account_id: int) -> bool:
    """Whether a reversal ever debited the account."""
    found = await session.scalar(
        select(Posting.id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            Posting.account_id == account_id,
            Posting.amount_minor < 0,
            JournalEntry.type == EntryType.reversal,
        )
        .limit(1)
    )
    return found is not None
