"""`corebank ledger verify`: every ledger invariant, checked over the whole database.

Streams in batches by id, so memory stays flat however many postings there are; sums are
computed by the database. Runs in one snapshot (REPEATABLE READ on PostgreSQL, one read
transaction on SQLite), so concurrent traffic cannot produce false alarms.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.db import Database
from corebank.models.account import Account, AccountKind, AccountStatus
from corebank.models.ledger import EntryType, Hold, HoldStatus, JournalEntry, Posting


@dataclass
class LedgerReport:
    entries: int = 0
    postings: int = 0
    accounts: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


async def verify_ledger(db: Database, *, batch: int = 1000) -> LedgerReport:
    """Check every invariant; the report names each violation."""
    report = LedgerReport()
    async with db.session() as session:
        if db.dialect == "postgresql":
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        await _check_entries(session, report, batch)
        await _check_currencies(session, report)
        await _check_chains(session, report, batch)
        await _check_accounts(session, report, batch)
    return report


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


async def _check_entries(session: AsyncSession, report: LedgerReport, batch: int) -> None:
    """Each entry: two or more postings summing to zero, its amount, its currency."""
    entries = select(JournalEntry.id, JournalEntry.currency, JournalEntry.amount_minor)
    async for rows in _batches(session, entries, JournalEntry.id, batch):
        report.entries += len(rows)
        sums = {
            r[0]: r[1:]
            for r in await session.execute(
                select(
                    Posting.entry_id,
                    func.sum(Posting.amount_minor),
                    func.count(),
                    func.sum(case((Posting.amount_minor > 0, Posting.amount_minor), else_=0)),
                    func.min(Account.currency),
                    func.max(Account.currency),
                )
                .join(Account, Account.id == Posting.account_id)
                .where(Posting.entry_id.between(rows[0][0], rows[-1][0]))
                .group_by(Posting.entry_id)
            )
        }
        for entry_id, currency, amount in rows:
            total, count, credits, low, high = sums.get(entry_id, (0, 0, 0, None, None))
            if count < 2:
                report.problems.append(f"entry {entry_id}: has {count} posting(s), needs 2+")
            if total != 0:
                report.problems.append(f"entry {entry_id}: postings sum to {total}, not 0")
            if count and credits != amount:
                report.problems.append(
                    f"entry {entry_id}: amount {amount} but postings credit {credits}"
                )
            if count and (low != currency or high != currency):
                report.problems.append(f"entry {entry_id}: posts to accounts of another currency")


async def _check_currencies(session: AsyncSession, report: LedgerReport) -> None:
    """Per currency, all postings together sum to zero."""
    rows = await session.execute(
        select(Account.currency, func.sum(Posting.amount_minor))
        .join(Account, Account.id == Posting.account_id)
        .group_by(Account.currency)
    )
    for currency, total in rows:
        if total != 0:
            report.problems.append(f"currency {currency}: postings sum to {total}, not 0")


async def _check_chains(session: AsyncSession, report: LedgerReport, batch: int) -> None:
    """Each posting's balance_after = the previous one's + its amount, per account."""
    account_id, running = None, 0
    after: tuple[int, int] | None = None
    stmt = select(Posting.account_id, Posting.id, Posting.amount_minor, Posting.balance_after_minor)
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
        for owner, posting_id, amount, balance_after in rows:
            report.postings += 1
            if owner != account_id:
                account_id, running = owner, 0
            running += amount
            if balance_after != running:
                report.problems.append(
                    f"posting {posting_id} (account {owner}): balance_after {balance_after}, "
                    f"but its postings up to it sum to {running}"
                )
                running = balance_after
        after = (rows[-1][0], rows[-1][1])


async def _check_accounts(session: AsyncSession, report: LedgerReport, batch: int) -> None:
    """Stored balance = its postings; held = its open holds; never below its limit."""
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
    async for rows in _batches(session, accounts, Account.id, batch):
        for account_id, kind, status, balance, held_minor, limit, total, open_holds in rows:
            report.accounts += 1
            name = f"account {account_id}"
            if balance != total:
                report.problems.append(f"{name}: stored balance {balance}, postings sum {total}")
            if held_minor != open_holds:
                report.problems.append(f"{name}: held {held_minor}, open holds sum {open_holds}")
            if status == AccountStatus.closed and (balance or held_minor):
                report.problems.append(f"{name}: closed but balance {balance}, held {held_minor}")
            if kind == AccountKind.customer and balance - held_minor < -limit:
                await _below_limit(session, report, account_id, balance - held_minor, limit)


async def _below_limit(
    session: AsyncSession, report: LedgerReport, account_id: int, available: int, limit: int
) -> None:
    """Below its limit is legitimate only after a reversal took money out (see docs)."""
    reversed_out = await session.scalar(
        select(Posting.id)
        .join(JournalEntry, JournalEntry.id == Posting.entry_id)
        .where(
            Posting.account_id == account_id,
            Posting.amount_minor < 0,
            JournalEntry.type == EntryType.reversal,
        )
        .limit(1)
    )
    message = f"account {account_id}: available {available} is below -{limit} (its limit)"
    if reversed_out is None:
        report.problems.append(message)
    else:
        report.notes.append(message + ", after a reversal (allowed)")
