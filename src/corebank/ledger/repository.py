"""The money path's queries: lock accounts, move balances, append entries and postings, and
the holds.

Every statement of a posting is Core SQL built once (`Prepared`) and run in the session's
transaction with `core.sql.execute`: one round trip each, without the ORM's unit of
work, and on PostgreSQL straight on the driver, since SQLAlchemy's per-statement machinery
cost more CPU than the statements themselves. The holds are ORM rows (a hold is created,
captured or voided far less often than money moves).

The idempotency keys' queries are in `idempotency_repository`, the journal's reads in
`history_repository`, the invariant checks' in `verify_repository`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, bindparam, case, func, insert, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts.numbers import generate_account_number
from corebank.core.pagination import CursorCodec, PageParams, keyset_page
from corebank.core.sql import Prepared, execute
from corebank.models.account import Account, AccountKind, AccountStatus, AccountType
from corebank.models.customer import Customer
from corebank.models.ledger import EntryType, Hold, HoldStatus, JournalEntry, Posting

SETTLEMENT_ATTEMPTS = 5


@dataclass(frozen=True)
class LockedAccount:
    """An account row as read under its lock, with the user who owns it (if any)."""

    id: int
    owner_user_id: int | None
    kind: str
    currency: str
    status: str
    balance: int
    held: int
    overdraft: int
    customer_deleted: bool = False

    @property
    def available(self) -> int:
        return self.balance - self.held


#: Statements built per shape (how many accounts, how many change) are kept for the shapes in
#: use: a multi-leg entry can touch up to 128 accounts, and an unbounded cache of every shape
#: a caller can ask for would grow by megabytes per worker.
STATEMENT_SHAPES = 64


def _ids_in(count: int) -> Any:
    """`accounts.id IN (:id0, :id1 ...)`: one named parameter per id, so a statement built for
    `count` ids is compiled and prepared once (an expanding IN is re-rendered at every call)."""
    return Account.id.in_([bindparam(f"id{i}") for i in range(count)])


def _id_params(ids: Sequence[int]) -> dict[str, int]:
    return {f"id{i}": account_id for i, account_id in enumerate(ids)}


@functools.lru_cache(maxsize=STATEMENT_SHAPES)
def _lock_statement(count: int) -> Prepared:
    return Prepared(
        select(Account.id, Account.customer_id)
        .where(_ids_in(count))
        .order_by(Account.id)
        .with_for_update()
    )


@functools.lru_cache(maxsize=STATEMENT_SHAPES)
def _owners_statement(count: int, *, for_update: bool) -> Prepared:
    stmt = (
        select(
            Account.id,
            Customer.user_id,
            Account.kind,
            Account.currency,
            Account.status,
            Account.balance_minor,
            Account.held_minor,
            Account.overdraft_limit_minor,
            Customer.deleted_at.is_not(None),
        )
        .outerjoin(Customer, Customer.id == Account.customer_id)
        .where(_ids_in(count))
        .order_by(Account.id)
    )
    return Prepared(stmt.with_for_update(of=Account) if for_update else stmt)


async def lock_accounts(
    session: AsyncSession, ids: Iterable[int], *, for_update: bool = True
) -> dict[int, LockedAccount]:
    """Lock the accounts in id order with one SELECT ... FOR UPDATE (SQLite: BEGIN IMMEDIATE).

    On PostgreSQL the owning customers are read by a second statement after the lock: a row
    joined into the locking statement comes from the snapshot taken before any lock wait, so a
    customer deleted meanwhile (the deletion guard holds these account locks) would still look
    alive. The new statement sees what committed during the wait.
    """
    wanted = sorted(set(ids))
    if not (for_update and session.bind.dialect.name == "postgresql"):
        return await _accounts_with_owners(session, wanted, for_update=for_update)
    locked = await execute(session, _lock_statement(len(wanted)), _id_params(wanted))
    return await _accounts_with_owners(session, [row[0] for row in locked], for_update=False)


async def _accounts_with_owners(
    session: AsyncSession, ids: list[int], *, for_update: bool
) -> dict[int, LockedAccount]:
    if not ids:
        return {}
    rows = await execute(
        session, _owners_statement(len(ids), for_update=for_update), _id_params(ids)
    )
    return {row[0]: LockedAccount(*row[:-1], customer_deleted=bool(row[-1])) for row in rows}


_INTERNAL = Prepared(
    select(Account.id).where(
        Account.kind == bindparam("kind"), Account.currency == bindparam("currency")
    )
)


async def settlement_account_id(session: AsyncSession, currency: str, *, now: datetime) -> int:
    """The settlement account of `currency`, created on first use (race-free, unique index)."""
    return await internal_account_id(session, AccountKind.settlement, currency, now=now)


async def internal_account_id(
    session: AsyncSession, kind: AccountKind, currency: str, *, now: datetime
) -> int:
    """The bank's own account of `kind` (settlement, loan portfolio, interest or fee income)
    in `currency`, created on first use (race-free: a partial unique index per kind)."""
    for _ in range(SETTLEMENT_ATTEMPTS):
        found = await execute(session, _INTERNAL, {"kind": str(kind), "currency": currency})
        if found:
            return found[0][0]
        dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
        await (await session.connection()).execute(
            dialect.insert(Account)
            .values(
                number=generate_account_number(),
                kind=kind,
                type=AccountType.internal,
                currency=currency,
                status=AccountStatus.active,
                nickname=f"{currency} {str(kind).replace('_', ' ')}",
                balance_minor=0,
                held_minor=0,
                overdraft_limit_minor=0,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )
    raise RuntimeError(f"could not create the {currency} {kind} account")


@functools.lru_cache(maxsize=STATEMENT_SHAPES)
def _deltas_statement(account_count: int, balance_count: int, held_count: int) -> Prepared:
    """Add per-account deltas to balance and held, for up to `*_count` accounts each:
    `balance_minor = balance_minor + CASE WHEN id = :b0 THEN :bd0 ... ELSE 0 END`."""
    values: dict[str, Any] = {"updated_at": bindparam("now")}
    for column, prefix, count in (
        (Account.balance_minor, "b", balance_count),
        (Account.held_minor, "h", held_count),
    ):
        if count:
            whens = [
                (
                    Account.id == bindparam(f"{prefix}{i}"),
                    bindparam(f"{prefix}d{i}", type_=BigInteger),
                )
                for i in range(count)
            ]
            values[column.key] = column + case(*whens, else_=literal(0, BigInteger))
    return Prepared(
        update(Account)
        .where(_ids_in(account_count))
        .values(values)
        .returning(Account.id, Account.balance_minor, Account.held_minor)
    )


async def apply_deltas(
    session: AsyncSession, deltas: Mapping[int, tuple[int, int]], *, now: datetime
) -> dict[int, tuple[int, int]]:
    """Add (balance, held) deltas to accounts in one UPDATE; return the new (balance, held) of
    every account in `deltas`, also those whose deltas net to zero."""
    ids = sorted(deltas)
    params: dict[str, Any] = {"now": now, **_id_params(ids)}
    changed: list[int] = []
    for prefix, index in (("b", 0), ("h", 1)):
        moved = [(i, deltas[i][index]) for i in ids if deltas[i][index]]
        for n, (account_id, delta) in enumerate(moved):
            params[f"{prefix}{n}"], params[f"{prefix}d{n}"] = account_id, delta
        changed.append(len(moved))
    statement = _deltas_statement(len(ids), changed[0], changed[1])
    rows = await execute(session, statement, params)
    return {row[0]: (row[1], row[2]) for row in rows}


_ENTRY_COLUMNS = (
    "type",
    "currency",
    "amount_minor",
    "description",
    "reverses_entry_id",
    "created_by",
    "correlation_id",
    "created_at",
)
_INSERT_ENTRY = Prepared(
    insert(JournalEntry).returning(JournalEntry.id), column_keys=_ENTRY_COLUMNS
)
#: A multi-leg entry also records its metadata (the other entries leave the column NULL).
_INSERT_ENTRY_WITH_METADATA = Prepared(
    insert(JournalEntry).returning(JournalEntry.id),
    column_keys=[*_ENTRY_COLUMNS, "metadata"],
)


@functools.lru_cache(maxsize=STATEMENT_SHAPES)
def _postings_statement(count: int) -> Prepared:
    """The entry's `count` postings in one multi-row INSERT (one statement, not `count`). Each
    parameter is typed by its column: in a multi-row VALUES, SQLAlchemy types only the first
    row's, and a reused one not at all."""
    columns = Posting.__table__.c

    def param(name: str, column: Any) -> Any:
        return bindparam(name, type_=column.type)

    return Prepared(
        insert(Posting).values(
            [
                {
                    "entry_id": param("entry_id", columns.entry_id),
                    "account_id": param(f"account{i}", columns.account_id),
                    "amount_minor": param(f"amount{i}", columns.amount_minor),
                    "balance_after_minor": param(f"balance{i}", columns.balance_after_minor),
                    "created_at": param("now", columns.created_at),
                }
                for i in range(count)
            ]
        )
    )


async def insert_entry(
    session: AsyncSession,
    *,
    type: EntryType,
    currency: str,
    amount: int,
    description: str | None,
    created_by: int | None,
    correlation_id: str | None,
    now: datetime,
    legs: Sequence[tuple[int, int]],
    balances: Mapping[int, int],
    reverses_entry_id: int | None = None,
    metadata: Mapping[str, str] | None = None,
) -> int:
    """Append one entry and its postings, each with its account's balance after it
    (`balances`: each account's balance after the whole entry)."""
    values = {
        "type": type,
        "currency": currency,
        "amount_minor": amount,
        "description": description,
        "reverses_entry_id": reverses_entry_id,
        "created_by": created_by,
        "correlation_id": correlation_id,
        "created_at": now,
    }
    if metadata is None:
        [(entry_id,)] = await execute(session, _INSERT_ENTRY, values)
    else:
        values["metadata"] = dict(metadata)
        [(entry_id,)] = await execute(session, _INSERT_ENTRY_WITH_METADATA, values)
    params: dict[str, Any] = {"entry_id": entry_id, "now": now}
    running = running_balances(legs, balances)
    for i, ((account_id, leg_amount), balance) in enumerate(zip(legs, running, strict=True)):
        params[f"account{i}"], params[f"amount{i}"] = account_id, leg_amount
        params[f"balance{i}"] = balance
    await execute(session, _postings_statement(len(legs)), params)
    return entry_id


def running_balances(legs: Sequence[tuple[int, int]], final: Mapping[int, int]) -> list[int]:
    """Each posting's balance after it: its account's balance after the whole entry, less the
    account's later postings in the entry (an account a multi-leg entry posts to twice gets
    two balances, so the per-account chain that `ledger verify` checks holds)."""
    remaining = dict(final)
    balances = []
    for account_id, amount in reversed(legs):
        balances.append(remaining[account_id])
        remaining[account_id] -= amount
    balances.reverse()
    return balances


def _typed(name: str, column: Any) -> Any:
    return bindparam(name, type_=column.type)


_entry_columns = JournalEntry.__table__.c
#: PostgreSQL: the balance UPDATE, the entry and its postings in one round trip (a
#: data-modifying CTE: every part sees the same snapshot, and the UPDATE's RETURNING gives
#: each account's balance after the entry to its postings).
_POST_ENTRY = Prepared(
    text(
        """
        WITH deltas AS (
            SELECT * FROM unnest(
                CAST(:ids AS BIGINT[]), CAST(:balance_deltas AS BIGINT[]),
                CAST(:held_deltas AS BIGINT[])
            ) AS d(account_id, balance_delta, held_delta)
        ), moved AS (
            UPDATE accounts SET
                balance_minor = accounts.balance_minor + deltas.balance_delta,
                held_minor = accounts.held_minor + deltas.held_delta,
                updated_at = :now
            FROM deltas WHERE accounts.id = deltas.account_id
            RETURNING accounts.id, accounts.balance_minor, accounts.held_minor
        ), entry AS (
            INSERT INTO journal_entries (type, currency, amount_minor, description,
                reverses_entry_id, created_by, correlation_id, created_at)
            VALUES (:type, :currency, :amount, :description, :reverses_entry_id,
                :created_by, :correlation_id, :now)
            RETURNING id
        ), posted AS (
            INSERT INTO postings (entry_id, account_id, amount_minor, balance_after_minor,
                created_at)
            SELECT entry.id, legs.account_id, legs.amount, moved.balance_minor, :now
            FROM entry
            CROSS JOIN unnest(CAST(:leg_accounts AS BIGINT[]), CAST(:leg_amounts AS BIGINT[]))
                WITH ORDINALITY AS legs(account_id, amount, n)
            JOIN moved ON moved.id = legs.account_id
            ORDER BY legs.n
        )
        SELECT (SELECT id FROM entry), moved.id, moved.balance_minor, moved.held_minor
        FROM moved
        """
    ).bindparams(
        _typed("now", _entry_columns.created_at),
        _typed("type", _entry_columns.type),
        _typed("currency", _entry_columns.currency),
        _typed("description", _entry_columns.description),
        _typed("correlation_id", _entry_columns.correlation_id),
    )
)


async def post_entry(
    session: AsyncSession,
    *,
    deltas: Mapping[int, tuple[int, int]],
    type: EntryType,
    currency: str,
    amount: int,
    description: str | None,
    created_by: int | None,
    correlation_id: str | None,
    now: datetime,
    legs: Sequence[tuple[int, int]],
    reverses_entry_id: int | None = None,
    metadata: Mapping[str, str] | None = None,
) -> tuple[int, dict[int, tuple[int, int]]]:
    """Apply the (balance, held) deltas and append the entry with its postings; the entry's id
    and the new (balance, held) of every account in `deltas`. One statement on PostgreSQL,
    three elsewhere, and three also for an entry with metadata or posting to one account more
    than once (a multi-leg transaction: the one statement gives every posting of an account
    the same balance after it, and carries no metadata)."""
    entry: dict[str, Any] = {
        "type": type,
        "currency": currency,
        "amount": amount,
        "description": description,
        "reverses_entry_id": reverses_entry_id,
        "created_by": created_by,
        "correlation_id": correlation_id,
    }
    single_statement = (
        session.bind.dialect.name == "postgresql"
        and metadata is None
        and len(legs) == len({account_id for account_id, _ in legs})
    )
    if not single_statement:
        after = await apply_deltas(session, deltas, now=now)
        balances = {account_id: balance for account_id, (balance, _) in after.items()}
        entry_id = await insert_entry(
            session, **entry, now=now, legs=legs, balances=balances, metadata=metadata
        )
        return entry_id, after
    ids = sorted(deltas)
    rows = await execute(
        session,
        _POST_ENTRY,
        {
            **entry,
            "now": now,
            "ids": ids,
            "balance_deltas": [deltas[i][0] for i in ids],
            "held_deltas": [deltas[i][1] for i in ids],
            "leg_accounts": [account_id for account_id, _ in legs],
            "leg_amounts": [leg for _, leg in legs],
        },
    )
    if len(rows) != len(ids):  # the caller locked every account: a missing one is a bug
        raise RuntimeError(f"posting moved {len(rows)} of {len(ids)} accounts")
    return rows[0][0], {row[1]: (row[2], row[3]) for row in rows}


@dataclass(frozen=True)
class PostingView:
    account_id: int
    owner_user_id: int | None
    kind: str
    amount: int
    balance_after: int
    currency: str


async def entry_with_postings(
    session: AsyncSession, entry_id: int
) -> tuple[JournalEntry, list[PostingView], int | None] | None:
    """An entry, its postings (with each account's owner) and the entry reversing it."""
    entry = await session.get(JournalEntry, entry_id)
    if entry is None:
        return None
    rows = await (await session.connection()).execute(
        select(
            Posting.account_id,
            Customer.user_id,
            Account.kind,
            Posting.amount_minor,
            Posting.balance_after_minor,
            Account.currency,
        )
        .join(Account, Account.id == Posting.account_id)
        .outerjoin(Customer, Customer.id == Account.customer_id)
        .where(Posting.entry_id == entry_id)
        .order_by(Posting.id)
    )
    postings = [PostingView(*row) for row in rows.all()]
    reversed_by = await reversal_of(session, entry_id)
    return entry, postings, reversed_by


async def entry_type(session: AsyncSession, entry_id: int) -> str | None:
    return await (await session.connection()).scalar(
        select(JournalEntry.type).where(JournalEntry.id == entry_id)
    )


async def reversal_of(session: AsyncSession, entry_id: int) -> int | None:
    return await (await session.connection()).scalar(
        select(JournalEntry.id).where(JournalEntry.reverses_entry_id == entry_id)
    )


async def insert_hold(
    session: AsyncSession,
    *,
    account_id: int,
    amount: int,
    description: str | None,
    expires_at: datetime,
    created_by: int,
    now: datetime,
) -> Hold:
    """A new open hold of `amount` on the account (its held funds are moved by the caller)."""
    hold = await session.scalar(
        insert(Hold)
        .values(
            account_id=account_id,
            amount_minor=amount,
            captured_minor=0,
            status=HoldStatus.open,
            description=description,
            expires_at=expires_at,
            created_by=created_by,
            created_at=now,
        )
        .returning(Hold)
    )
    assert hold is not None
    return hold


async def reserve_holds_for(
    session: AsyncSession, hold_ids: Sequence[int], *, approval_request_id: int
) -> None:
    """Mark holds as reserving money for an approval request (only its decision ends them)."""
    if hold_ids:
        await session.execute(
            update(Hold)
            .where(Hold.id.in_(hold_ids))
            .values(approval_request_id=approval_request_id)
        )


async def hold_account_id(session: AsyncSession, hold_id: int) -> int | None:
    """The account a hold is on (None: no such hold), to lock it before the hold is read."""
    return await session.scalar(select(Hold.account_id).where(Hold.id == hold_id))


async def reread_hold(session: AsyncSession, hold_id: int) -> Hold | None:
    """The hold as it is now (after its account's lock), replacing any copy loaded before."""
    return await session.scalar(
        select(Hold).where(Hold.id == hold_id).execution_options(populate_existing=True)
    )


async def resolve_open_hold(
    session: AsyncSession, hold_id: int, *, status: HoldStatus, now: datetime, **values: Any
) -> Hold | None:
    """Give an open hold its final `status` (and `values`); None if it was no longer open.

    Conditional on `status = 'open'`, so of a capture, a void and an expiry one wins."""
    return await session.scalar(
        update(Hold)
        .where(Hold.id == hold_id, Hold.status == HoldStatus.open)
        .values(status=status, resolved_at=now, **values)
        .returning(Hold)
        .execution_options(populate_existing=True)
    )


async def page_of_holds(
    session: AsyncSession,
    *,
    account_id: int,
    status: HoldStatus | None,
    params: PageParams,
    codec: CursorCodec,
) -> tuple[list[Hold], str | None]:
    """One page of the account's holds (with `status`, when given), newest first."""
    stmt = select(Hold).where(Hold.account_id == account_id)
    if status is not None:
        stmt = stmt.where(Hold.status == status)
    return await keyset_page(
        session, stmt, id_column=Hold.id, params=params, codec=codec, scope=f"holds:{account_id}"
    )


async def open_hold_count(session: AsyncSession) -> int:
    count = await session.scalar(
        select(func.count()).select_from(Hold).where(Hold.status == HoldStatus.open)
    )
    return count or 0
