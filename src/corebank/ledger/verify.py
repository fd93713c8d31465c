"""`corebank ledger verify`: every ledger invariant, checked over the whole database.

Streams in batches by id, so memory stays flat however many postings there are; sums are
computed by the database. Runs in one snapshot (REPEATABLE READ on PostgreSQL, one read
transaction on SQLite), so concurrent traffic cannot produce false alarms.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.db import Database
from corebank.ledger import verify_repository as repository
from corebank.models.account import AccountKind, AccountStatus
from corebank.models.ledger import EntryType


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


#: Told how many more rows (entries, postings, accounts) were checked.
Progress = Callable[[int], None]


def _no_progress(_: int) -> None:
    return None


async def verify_ledger(
    db: Database, *, batch: int = 1000, progress: Progress | None = None
) -> LedgerReport:
    """Check every invariant; the report names each violation. `progress` is told each
    batch's row count (entries, then postings, then accounts)."""
    report = LedgerReport()
    advance = progress or _no_progress
    async with db.session() as session:
        if db.dialect == "postgresql":
            await repository.use_repeatable_read(session)
        await _check_entries(session, report, batch, advance)
        await _check_currencies(session, report)
        await _check_chains(session, report, batch, advance)
        await _check_accounts(session, report, batch, advance)
    return report


async def _check_entries(
    session: AsyncSession, report: LedgerReport, batch: int, advance: Progress
) -> None:
    """Each entry: two or more postings, which sum to zero in each currency; its amount equals
    its credits in its currency; only a multi-leg entry (or its reversal) posts to accounts
    of another currency than the entry's."""
    async for rows in repository.entries(session, batch):
        report.entries += len(rows)
        sums = await repository.posting_sums(session, rows[0][0], rows[-1][0])
        for row in rows:
            report.problems += entry_problems(row, sums)
        advance(len(rows))


def entry_problems(row: Any, sums: dict[int, dict[str, tuple[int, int, int]]]) -> list[str]:
    """What is wrong with one entry (a row of `repository.entries`), given its postings'
    sums (`repository.posting_sums`); the attestation runs the same check."""
    entry_id, type, currency, amount, reversed_type = row
    per_currency = sums.get(entry_id, {})
    multi_leg = EntryType.multi_leg in (type, reversed_type)
    name = f"entry {entry_id}"
    count = sum(n for _, n, _ in per_currency.values())
    problems = [f"{name}: has {count} posting(s), needs 2+"] if count < 2 else []
    problems += [
        f"{name}: postings sum to {total}, not 0"
        if len(per_currency) == 1
        else f"{name}: its {posted} postings sum to {total}, not 0"
        for posted, (total, _, _) in sorted(per_currency.items())
        if total != 0
    ]
    if not count:
        return problems
    credits = per_currency.get(currency, (0, 0, 0))[2]
    if credits != amount:
        problems.append(f"{name}: amount {amount} but postings credit {credits} {currency}")
    if currency not in per_currency or (len(per_currency) > 1 and not multi_leg):
        problems.append(f"{name}: posts to accounts of another currency")
    return problems


async def _check_currencies(session: AsyncSession, report: LedgerReport) -> None:
    """Per currency, all postings together sum to zero."""
    for currency, total in await repository.currency_totals(session):
        if total != 0:
            report.problems.append(f"currency {currency}: postings sum to {total}, not 0")


async def _check_chains(
    session: AsyncSession, report: LedgerReport, batch: int, advance: Progress
) -> None:
    """Each posting's balance_after = the previous one's + its amount, per account."""
    account_id, running = None, 0
    async for rows in repository.posting_chains(session, batch):
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
        advance(len(rows))


async def _check_accounts(
    session: AsyncSession, report: LedgerReport, batch: int, advance: Progress
) -> None:
    """Stored balance = its postings; held = its open holds; never below its limit."""
    async for rows in repository.accounts_with_sums(session, batch):
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
        advance(len(rows))


async def _below_limit(
    session: AsyncSession, report: LedgerReport, account_id: int, available: int, limit: int
) -> None:
    """Below its limit is legitimate only after a reversal took money out (see docs)."""
    message = f"account {account_id}: available {available} is below -{limit} (its limit)"
    if await repository.reversal_took_money_out(session, account_id):
        report.notes.append(message + ", after a reversal (allowed)")
    else:
        report.problems.append(message)
