"""The ledger's invariants (the checks of `corebank ledger verify`), run from a checkpoint.

The journal is append-only (database triggers refuse UPDATE and DELETE), so what was checked
once stays checked: the checkpoint records the last entry covered and, per account, the sum,
count, last id and last balance_after of its postings up to it. An incremental run checks
only the entries after it and combines; a full run starts from an empty checkpoint, which is
the same code over the whole journal.

Why entries, not postings, draw the line: an account's postings are written while its row is
locked, so per account the entries' order and the postings' order agree, and an entry's
postings are all on one side of the line. The checkpoint only moves up to the last entry
created ATTESTATION_SETTLE_SECONDS ago: a transaction that took its entry id earlier but
commits later would otherwise fall behind the line unchecked. Entries after that line are
checked by every attestation, just not folded in yet. The checkpoint never moves while an
invariant fails, so a failure is reported again until it is mended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.attestation import repository
from corebank.ledger import verify_repository
from corebank.ledger.verify import entry_problems
from corebank.models.account import AccountKind, AccountStatus

#: The checks, in the order they are reported.
CHECKS = (
    "entries_balanced",
    "currencies_balanced",
    "balance_chains",
    "stored_balances",
    "closed_accounts_empty",
    "within_overdraft",
)
EXAMPLES = 5

#: (posting sum, postings, last posting id, last balance after) of one account.
Mark = tuple[int, int, int, int]


@dataclass
class Check:
    name: str
    problems: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problems == 0

    def fail(self, line: str) -> None:
        self.problems += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append(line)


@dataclass
class CurrencyTotals:
    balances: int = 0
    postings: int = 0
    open_holds: int = 0


@dataclass
class Base:
    """Where the run starts: the stored checkpoint, or nothing (a full run)."""

    last_entry_id: int = 0
    entries: int = 0
    postings: int = 0


@dataclass
class LedgerResult:
    mode: str
    base: Base
    checked_through_entry: int = 0
    settled_entry_id: int = 0
    entries_checked: int = 0
    postings_checked: int = 0
    checks: dict[str, Check] = field(default_factory=lambda: {n: Check(n) for n in CHECKS})
    currencies: dict[str, CurrencyTotals] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: What the checkpoint becomes (entries up to `settled_entry_id`).
    new_marks: dict[int, Mark] = field(default_factory=dict)
    settled_entries: int = 0
    settled_postings: int = 0

    @property
    def ok(self) -> bool:
        return all(check.ok for check in self.checks.values())

    @property
    def entries(self) -> int:
        return self.base.entries + self.entries_checked

    @property
    def postings(self) -> int:
        return self.base.postings + self.postings_checked

    @property
    def last_entry_id(self) -> int:
        return max(self.base.last_entry_id, self.checked_through_entry)


async def check_ledger(
    session: AsyncSession, *, full: bool, now: datetime, settle_seconds: int, batch: int = 1000
) -> LedgerResult:
    """Run every invariant after the checkpoint (from zero when `full`) in `session`'s
    snapshot (the caller makes it REPEATABLE READ on PostgreSQL)."""
    base = Base()
    stored = None if full else await repository.checkpoint(session)
    if stored is not None:
        base = Base(stored.last_entry_id, stored.entries, stored.postings)
    result = LedgerResult(mode="full" if stored is None else "incremental", base=base)
    settled = await repository.settled_entry_id(
        session, before=now - timedelta(seconds=settle_seconds)
    )
    result.settled_entry_id = max(settled, base.last_entry_id)
    await _check_entries(session, result, batch)
    deltas = await _check_chains(session, result, batch, from_checkpoint=stored is not None)
    await _check_accounts(session, result, deltas, batch, from_checkpoint=stored is not None)
    _check_currencies(result)
    return result


async def _check_entries(session: AsyncSession, result: LedgerResult, batch: int) -> None:
    """Each entry after the line, as `corebank ledger verify` checks it (`entry_problems`):
    two or more postings summing to zero in each currency, its amount, its currencies."""
    check = result.checks["entries_balanced"]
    entries = verify_repository.entries(session, batch, after_id=result.base.last_entry_id)
    async for rows in entries:
        result.entries_checked += len(rows)
        result.checked_through_entry = rows[-1][0]
        result.settled_entries += sum(1 for row in rows if row[0] <= result.settled_entry_id)
        sums = await verify_repository.posting_sums(session, rows[0][0], rows[-1][0])
        for row in rows:
            for problem in entry_problems(row, sums):
                check.fail(problem)


async def _check_chains(
    session: AsyncSession, result: LedgerResult, batch: int, *, from_checkpoint: bool
) -> dict[int, int]:
    """Each posting's balance_after = the previous one's + its amount, per account, starting
    from the account's mark; returns each account's sum of the postings checked."""
    check = result.checks["balance_chains"]
    deltas: dict[int, int] = {}
    account_id, mark = None, (0, 0, 0, 0)
    async for rows in repository.postings_after(session, result.base.last_entry_id, batch):
        marks = (
            await repository.checkpoint_marks(session, {row[0] for row in rows})
            if from_checkpoint
            else {}
        )
        for owner, posting_id, entry_id, amount, balance_after in rows:
            result.postings_checked += 1
            if owner != account_id:
                account_id, mark = owner, marks.get(owner, (0, 0, 0, 0))
            if posting_id <= mark[2]:
                check.fail(
                    f"posting {posting_id} (account {owner}): before the checkpoint's last "
                    f"posting {mark[2]} of the account (committed late?)"
                )
            expected = mark[3] + amount
            if balance_after != expected:
                check.fail(
                    f"posting {posting_id} (account {owner}): balance_after {balance_after}, "
                    f"but its postings up to it sum to {expected}"
                )
            mark = (mark[0] + amount, mark[1] + 1, posting_id, balance_after)
            deltas[owner] = deltas.get(owner, 0) + amount
            if entry_id <= result.settled_entry_id:
                result.new_marks[owner] = mark
                result.settled_postings += 1
    return deltas


async def _check_accounts(
    session: AsyncSession,
    result: LedgerResult,
    deltas: dict[int, int],
    batch: int,
    *,
    from_checkpoint: bool,
) -> None:
    """Stored balance = its postings; held = its open holds; closed means empty; never below
    its limit (unless a reversal took it there: a note). Adds up the per-currency totals."""
    stored, closed, limit_check = (
        result.checks["stored_balances"],
        result.checks["closed_accounts_empty"],
        result.checks["within_overdraft"],
    )
    rows_of = repository.accounts_with_marks(session, batch, from_checkpoint=from_checkpoint)
    async for rows in rows_of:
        for row in rows:
            account_id, kind, status, currency, balance, held, limit, marked, holds = row
            marked, holds = int(marked), int(holds)  # PostgreSQL's sum of BIGINT is NUMERIC
            total = marked + deltas.get(account_id, 0)
            totals = result.currencies.setdefault(currency, CurrencyTotals())
            totals.balances += balance
            totals.postings += total
            totals.open_holds += holds
            name = f"account {account_id}"
            if balance != total:
                stored.fail(f"{name}: stored balance {balance}, postings sum {total}")
            if held != holds:
                stored.fail(f"{name}: held {held}, open holds sum {holds}")
            if status == AccountStatus.closed and (balance or held):
                closed.fail(f"{name}: closed but balance {balance}, held {held}")
            if kind == AccountKind.customer and balance - held < -limit:
                await _below_limit(session, result, limit_check, account_id, balance - held, limit)


async def _below_limit(
    session: AsyncSession,
    result: LedgerResult,
    check: Check,
    account_id: int,
    available: int,
    limit: int,
) -> None:
    message = f"account {account_id}: available {available} is below -{limit} (its limit)"
    if await verify_repository.reversal_took_money_out(session, account_id):
        result.notes.append(message + ", after a reversal (allowed)")
    else:
        check.fail(message)


def _check_currencies(result: LedgerResult) -> None:
    """Per currency, all postings together sum to zero."""
    check = result.checks["currencies_balanced"]
    for currency, totals in sorted(result.currencies.items()):
        if totals.postings != 0:
            check.fail(f"currency {currency}: postings sum to {totals.postings}, not 0")


def checkpoint_values(result: LedgerResult, *, now: datetime) -> dict[str, Any]:
    """The checkpoint row after this run."""
    return {
        "last_entry_id": result.settled_entry_id,
        "entries": result.base.entries + result.settled_entries,
        "postings": result.base.postings + result.settled_postings,
        "checked_at": now,
        "mode": result.mode,
    }
