"""Reading the journal: one transaction, an account's history, balance as of t, statements."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts.service import visible_row
from corebank.core.errors import BadRequest, ValidationFailed, field_error
from corebank.core.money import format_amount, parse_amount
from corebank.core.pagination import CursorCodec, PageParams
from corebank.core.timestamps import bounded_utc
from corebank.identity.principal import Principal
from corebank.ledger import history_repository, repository
from corebank.ledger.context import LedgerContext
from corebank.ledger.errors import TransactionNotFound
from corebank.ledger.posting import Leg, currency_totals, legs_of, legs_out, totals_out
from corebank.ledger.repository import PostingView
from corebank.ledger.schemas import (
    AccountTransactionOut,
    BalanceOut,
    CurrencyTotal,
    LegOut,
    PostingOut,
    StatementLine,
    StatementOut,
    TransactionOut,
)
from corebank.models.account import AccountKind
from corebank.models.ledger import EntryType, JournalEntry, Posting

MAX_STATEMENT_LINES = 10_000


async def get_transaction(ctx: LedgerContext, *, actor: Principal, entry_id: int) -> TransactionOut:
    """A transaction; a customer sees only one that touches an account of theirs, of a
    multi-leg one (or its reversal) only the legs that do (its amount is theirs), and its
    metadata only if they posted it."""
    async with ctx.db.read() as session:
        found = await repository.entry_with_postings(session, entry_id)
        multi_leg = found is not None and await _of_multi_leg(session, found[0])
    if found is None:
        raise TransactionNotFound("No such transaction.")
    entry, postings, reversed_by = found

    def mine(posting: PostingView) -> bool:
        return posting.kind == AccountKind.customer and (
            actor.is_staff or posting.owner_user_id == actor.user.id
        )

    if not any(mine(p) for p in postings):
        raise TransactionNotFound("No such transaction.")
    currency, amount = entry.currency, entry.amount_minor
    legs: list[LegOut] | None = None
    totals: list[CurrencyTotal] | None = None
    if multi_leg:
        postings, visible, numbers = _visible_legs(
            postings, shown=lambda p: actor.is_staff or mine(p)
        )
        currencies = {p.account_id: p.currency for p in postings}
        per_currency = currency_totals(visible, currencies)
        currency, amount = next(iter(per_currency.items()))
        legs = legs_out(visible, currencies, numbers=numbers)
        totals = totals_out(per_currency)
    return TransactionOut(
        id=entry.id,
        type=entry.type,
        status="reversed" if reversed_by else "posted",
        amount=format_amount(amount, currency),
        currency=currency,
        description=entry.description,
        reverses_transaction_id=entry.reverses_entry_id,
        reversed_by_transaction_id=reversed_by,
        legs=legs,
        totals=totals,
        metadata=entry.entry_metadata
        if actor.is_staff or entry.created_by == actor.user.id
        else None,
        postings=[
            PostingOut(
                account_id=p.account_id,
                amount=format_amount(p.amount, p.currency),
                balance_after=format_amount(p.balance_after, p.currency) if mine(p) else None,
            )
            for p in postings
        ],
        created_at=entry.created_at,
        correlation_id=entry.correlation_id,
    )


async def _of_multi_leg(session: AsyncSession, entry: JournalEntry) -> bool:
    """Whether the entry is a multi-leg transaction or the reversal of one."""
    if entry.type == EntryType.multi_leg:
        return True
    if entry.type != EntryType.reversal or entry.reverses_entry_id is None:
        return False
    return await repository.entry_type(session, entry.reverses_entry_id) == EntryType.multi_leg


def _visible_legs(
    postings: list[PostingView], *, shown: Callable[[PostingView], bool]
) -> tuple[list[PostingView], list[Leg], list[int]]:
    """The legs (posting pairs, in order) with a posting that is `shown`, their numbers and
    their postings."""
    kept: list[PostingView] = []
    legs, numbers = [], []
    for number, pair in enumerate(zip(postings[::2], postings[1::2], strict=True), start=1):
        if not (shown(pair[0]) or shown(pair[1])):
            continue
        kept += pair
        legs += legs_of([(p.account_id, p.amount) for p in pair])
        numbers.append(number)
    return kept, legs, numbers


async def list_account_transactions(
    ctx: LedgerContext,
    *,
    actor: Principal,
    account_id: int,
    params: PageParams,
    codec: CursorCodec,
    start: datetime | None,
    end: datetime | None,
    type: str | None,
    min_amount: str | None,
    max_amount: str | None,
) -> tuple[list[AccountTransactionOut], str | None]:
    """The account's postings, newest first, each with the balance after it (one query, on
    the read replica when there is one: the account check before it stays on the primary)."""
    scope = f"account-transactions:{account_id}"
    after = None
    if params.cursor is not None:
        after = codec.decode(scope, params.cursor).get("id")
        if not isinstance(after, int):
            raise BadRequest("The cursor is not valid for this list.", type="invalid-cursor")
    account = await visible_row(ctx.accounts, actor=actor, account_id=account_id)
    currency = account.currency
    filters = {
        "start": start,
        "end": end,
        "type": type,
        "after": after,
        "min_amount": _query_amount(min_amount, currency, "min_amount")
        if min_amount is not None
        else None,
        "max_amount": _query_amount(max_amount, currency, "max_amount")
        if max_amount is not None
        else None,
    }
    given = {name: value for name, value in filters.items() if value is not None}
    rows = await history_repository.history_page(
        ctx.db, account_id=account_id, filters=given, limit=params.limit + 1, replica=True
    )
    next_cursor = None
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        next_cursor = codec.encode(scope, {"id": rows[-1][0]})
    return [_history_line(row, currency) for row in rows], next_cursor


def _history_line(row: tuple[Any, ...], currency: str) -> AccountTransactionOut:
    _, amount, balance_after, created_at, entry_id, type, description, correlation, reversal = row
    return AccountTransactionOut(
        id=entry_id,
        type=type,
        status="reversed" if reversal else "posted",
        amount=format_amount(amount, currency),
        currency=currency,
        description=description,
        balance_after=format_amount(balance_after, currency),
        created_at=created_at,
        correlation_id=correlation,
    )


def _query_amount(text: str, currency: str, loc: str) -> int:
    try:
        return parse_amount(text, currency)
    except ValueError as exc:
        raise ValidationFailed(
            f"Invalid {loc}: {exc}.", errors=[field_error(["query", loc], str(exc))]
        ) from None


async def balance_at(
    ctx: LedgerContext, *, actor: Principal, account_id: int, until: datetime | None
) -> BalanceOut:
    """The balance just before `until` (default: now, included): the sum of the account's
    postings made before it (summed on the read replica when there is one)."""
    if until is None:
        until = ctx.clock.now() + timedelta(microseconds=1)
    account = await visible_row(ctx.accounts, actor=actor, account_id=account_id)
    total = await ctx.db.replica_read(
        lambda session: history_repository.sum_before(session, account_id, until)
    )
    return BalanceOut(
        account_id=account.id,
        currency=account.currency,
        at=until - timedelta(microseconds=1),
        balance=format_amount(total, account.currency),
    )


def parse_moment(text: str, *, loc: str, end: bool) -> datetime:
    """A date (a whole UTC day) or an ISO 8601 timestamp; returns a period boundary.

    As a start, a date means its midnight; as an (inclusive) end, the next midnight, and a
    timestamp the instant just after it, so that the period is [start, end).
    """
    try:
        if len(text) == 10:
            moment = bounded_utc(datetime.combine(date.fromisoformat(text), time(), UTC))
            return moment + timedelta(days=1) if end else moment
        moment = bounded_utc(datetime.fromisoformat(text))
        return moment + timedelta(microseconds=1) if end else moment
    except (ValueError, OverflowError):
        raise ValidationFailed(
            f"{loc} must be a date (YYYY-MM-DD) or an ISO 8601 timestamp "
            "between 1900-01-01 and 9999-12-31 (UTC).",
            errors=[field_error(["query", loc], "invalid date or timestamp")],
        ) from None


async def statement(
    ctx: LedgerContext,
    *,
    actor: Principal,
    account_id: int,
    start: datetime | None,
    end: datetime | None,
) -> StatementOut:
    """Opening balance, the period's lines and the closing balance (opening + lines); the
    period runs from `start` (default: the account's opening) to `end` (default: now). The
    postings are read on the read replica when there is one."""
    if end is None:
        end = ctx.clock.now()
    account = await visible_row(ctx.accounts, actor=actor, account_id=account_id)
    start = start or account.created_at
    if start >= end:
        raise ValidationFailed(
            "The period's start must come before its end.", type="invalid-period"
        )
    period_start, period_end = start, end

    async def read_period(
        session: AsyncSession,
    ) -> tuple[int, list[tuple[Posting, JournalEntry]]]:
        opening = await history_repository.sum_before(session, account_id, period_start)
        rows = await history_repository.statement_lines(
            session,
            account_id=account_id,
            start=period_start,
            end=period_end,
            limit=MAX_STATEMENT_LINES + 1,
        )
        return opening, rows

    opening, rows = await ctx.db.replica_read(read_period)
    if len(rows) > MAX_STATEMENT_LINES:
        raise ValidationFailed(
            f"The period has more than {MAX_STATEMENT_LINES} lines; ask for a shorter one.",
            type="statement-too-large",
        )
    currency = account.currency
    running, credits, debits = opening, 0, 0
    lines = []
    for posting, entry in rows:
        running += posting.amount_minor
        credits += max(posting.amount_minor, 0)
        debits += min(posting.amount_minor, 0)
        lines.append(
            StatementLine(
                transaction_id=entry.id,
                type=entry.type,
                description=entry.description,
                amount=format_amount(posting.amount_minor, currency),
                balance=format_amount(running, currency),
                created_at=posting.created_at,
            )
        )
    return StatementOut(
        account_id=account.id,
        number=account.number,
        currency=currency,
        period_start=start,
        period_end=end,
        opening_balance=format_amount(opening, currency),
        closing_balance=format_amount(running, currency),
        total_credits=format_amount(credits, currency),
        total_debits=format_amount(debits, currency),
        lines=lines,
    )


def _cell(value: str | None) -> str:
    """Neutralise spreadsheet formulas in free text (CSV injection)."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def statement_csv(result: StatementOut) -> str:
    """The statement as CSV: a header row, then opening, one row per line, closing."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "transaction_id", "type", "description", "amount", "balance"])
    start = result.period_start.isoformat()
    writer.writerow([start, "", "opening_balance", "", "", result.opening_balance])
    for line in result.lines:
        writer.writerow(
            [
                line.created_at.isoformat(),
                line.transaction_id,
                line.type,
                _cell(line.description),
                line.amount,
                line.balance,
            ]
        )
    end = result.period_end.isoformat()
    writer.writerow([end, "", "closing_balance", "", "", result.closing_balance])
    return out.getvalue()
