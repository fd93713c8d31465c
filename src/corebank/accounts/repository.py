"""Every query of the accounts package: accounts, their customers and the expiry of their holds.
Customer accounts only: settlement accounts never surface here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts.numbers import generate_account_number
from corebank.core.db import Database
from corebank.core.pagination import CursorCodec, PageParams, keyset_page
from corebank.core.sql import Prepared
from corebank.models.account import Account, AccountKind, AccountStatus, AccountType
from corebank.models.customer import Customer
from corebank.models.ledger import Hold, HoldStatus

NUMBER_ATTEMPTS = 5


def visible(stmt: Select[Any], *, owner_user_id: int | BindParameter[int] | None) -> Select[Any]:
    """Restrict `stmt` to customer accounts, and to one user's own when `owner_user_id` is set."""
    stmt = stmt.where(Account.kind == AccountKind.customer)
    if owner_user_id is None:
        return stmt
    return stmt.join(Customer, Customer.id == Account.customer_id).where(
        Customer.user_id == owner_user_id
    )


@dataclass(frozen=True)
class AccountRow:
    """An account as shown to a caller, read as plain columns (no ORM object to build)."""

    id: int
    number: str
    customer_id: int | None
    type: str
    currency: str
    status: str
    nickname: str | None
    balance_minor: int
    held_minor: int
    overdraft_limit_minor: int
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @property
    def available_minor(self) -> int:
        return self.balance_minor - self.held_minor


_ROW = select(*(Account.__table__.c[name] for name in AccountRow.__dataclass_fields__))

# The two reads behind GET /accounts/{id}, built once: building a statement costs more CPU
# than sending it (SQLAlchemy coerces every clause and computes its cache key each time).
_BY_ID = Prepared(visible(_ROW, owner_user_id=None).where(Account.id == bindparam("id")))
_OWN_BY_ID = Prepared(
    visible(_ROW, owner_user_id=bindparam("owner")).where(Account.id == bindparam("id"))
)


async def get_row(db: Database, account_id: int, *, owner_user_id: int | None) -> AccountRow | None:
    """One account by id, limited to `owner_user_id`'s own when given (the hot read)."""
    if owner_user_id is None:
        found = await db.fetch_row(_BY_ID, {"id": account_id})
    else:
        found = await db.fetch_row(_OWN_BY_ID, {"id": account_id, "owner": owner_user_id})
    return AccountRow(*found) if found is not None else None


async def get(
    session: AsyncSession,
    account_id: int,
    *,
    owner_user_id: int | None = None,
    for_update: bool = False,
) -> Account | None:
    """One account by id, in `session` (limited to `owner_user_id`'s own when given)."""
    stmt = visible(select(Account), owner_user_id=owner_user_id).where(Account.id == account_id)
    return await session.scalar(stmt.with_for_update(of=Account) if for_update else stmt)


_BY_NUMBER = Prepared(
    visible(_ROW, owner_user_id=None).where(Account.number == bindparam("number"))
)
_OWN_BY_NUMBER = Prepared(
    visible(_ROW, owner_user_id=bindparam("owner")).where(Account.number == bindparam("number"))
)


async def get_row_by_number(
    db: Database, number: str, *, owner_user_id: int | None
) -> AccountRow | None:
    """One account by number, limited to `owner_user_id`'s own when given."""
    if owner_user_id is None:
        found = await db.fetch_row(_BY_NUMBER, {"number": number})
    else:
        found = await db.fetch_row(_OWN_BY_NUMBER, {"number": number, "owner": owner_user_id})
    return AccountRow(*found) if found is not None else None


async def rows_by_ids(session: AsyncSession, account_ids: Iterable[int]) -> list[AccountRow]:
    found = await session.execute(_ROW.where(Account.id.in_(list(account_ids))))
    return [AccountRow(*row) for row in found]


def as_row(account: Account) -> AccountRow:
    """The read view of an ORM account (after a write through the ORM)."""
    return AccountRow(*(getattr(account, name) for name in AccountRow.__dataclass_fields__))


async def reload(session: AsyncSession, account: Account) -> None:
    """Read the account's columns again (after a statement changed its row behind the ORM)."""
    await session.refresh(account)


async def lock(session: AsyncSession, account_id: int) -> None:
    """Lock the account's row for the transaction (SELECT ... FOR UPDATE; SQLite ignores it,
    its writers being serialized by BEGIN IMMEDIATE)."""
    await session.execute(select(Account.id).where(Account.id == account_id).with_for_update())


async def lock_open_accounts_of_customer(
    session: AsyncSession, customer_id: int
) -> list[tuple[int, int, int]]:
    """Lock every account of the customer not closed, in id order: (id, balance, held)."""
    rows = await session.execute(
        select(Account.id, Account.balance_minor, Account.held_minor)
        .where(Account.customer_id == customer_id, Account.status != AccountStatus.closed)
        .order_by(Account.id)
        .with_for_update()
    )
    return [(account_id, balance, held) for account_id, balance, held in rows.all()]


async def expire_due_holds_of(
    session: AsyncSession, *, account_id: int, now: datetime
) -> list[tuple[int, int]]:
    """Mark the account's open holds past their expiry expired: (hold id, amount) of each.

    Conditional on `status = 'open'`, so a hold is expired at most once."""
    rows = await session.execute(
        update(Hold)
        .where(
            Hold.account_id == account_id,
            Hold.status == HoldStatus.open,
            Hold.expires_at <= now,
        )
        .values(status=HoldStatus.expired, resolved_at=now)
        .returning(Hold.id, Hold.amount_minor)
    )
    return [(hold_id, amount) for hold_id, amount in rows.all()]


async def release_held(
    session: AsyncSession, *, account_id: int, amount: int, now: datetime
) -> None:
    """Take `amount` off the account's held funds."""
    await session.execute(
        update(Account)
        .where(Account.id == account_id)
        .values(held_minor=Account.held_minor - amount, updated_at=now)
    )


async def has_due_hold(session: AsyncSession, *, account_id: int, now: datetime) -> bool:
    """Whether the account has an open hold past its expiry (a cheap, indexed read)."""
    found = await session.scalar(
        select(Hold.id)
        .where(
            Hold.account_id == account_id,
            Hold.status == HoldStatus.open,
            Hold.expires_at <= now,
        )
        .limit(1)
    )
    return found is not None


async def accounts_with_due_holds(session: AsyncSession, *, now: datetime, limit: int) -> list[int]:
    """Up to `limit` accounts that have an open hold past its expiry."""
    found = await session.scalars(
        select(Hold.account_id)
        .where(Hold.status == HoldStatus.open, Hold.expires_at <= now)
        .distinct()
        .limit(limit)
    )
    return list(found.all())


async def due_hold_accounts(
    session: AsyncSession, account_ids: Iterable[int], *, now: datetime
) -> set[int]:
    """Which of the accounts have an open hold past its expiry."""
    found = await session.scalars(
        select(Hold.account_id)
        .where(
            Hold.account_id.in_(list(account_ids)),
            Hold.status == HoldStatus.open,
            Hold.expires_at <= now,
        )
        .distinct()
    )
    return set(found.all())


async def page_of_rows(
    session: AsyncSession,
    *,
    owner_user_id: int | None,
    customer_id: int | None,
    status: str | None,
    currency: str | None,
    params: PageParams,
    codec: CursorCodec,
) -> tuple[list[AccountRow], str | None]:
    """One page of the accounts visible to `owner_user_id` (all when None), newest first."""
    stmt = visible(_ROW, owner_user_id=owner_user_id)
    for column, value in (
        (Account.customer_id, customer_id),
        (Account.status, status),
        (Account.currency, currency),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    return await keyset_page(
        session,
        stmt,
        id_column=Account.id,
        params=params,
        codec=codec,
        scope="accounts",
        row=AccountRow,
    )


async def customer_by_id(session: AsyncSession, customer_id: int | None) -> Customer | None:
    """The customer (deleted or not), from the session's identity map when it is there."""
    return await session.get(Customer, customer_id)


async def live_customer(session: AsyncSession, customer_id: int) -> Customer | None:
    return await session.scalar(
        select(Customer).where(Customer.id == customer_id, Customer.deleted_at.is_(None))
    )


async def customer_of_user(session: AsyncSession, user_id: int) -> Customer | None:
    return await session.scalar(
        select(Customer).where(Customer.user_id == user_id, Customer.deleted_at.is_(None))
    )


async def insert(
    session: AsyncSession,
    *,
    customer_id: int,
    type: AccountType,
    currency: str,
    nickname: str | None,
    now: datetime,
) -> Account:
    """Insert an account with a fresh number (a savepoint absorbs the rare number clash)."""
    for attempt in range(NUMBER_ATTEMPTS):
        account = Account(
            number=generate_account_number(),
            customer_id=customer_id,
            kind=AccountKind.customer,
            type=type,
            currency=currency,
            nickname=nickname,
            balance_minor=0,
            held_minor=0,
            overdraft_limit_minor=0,
            created_at=now,
            updated_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(account)
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1:
                raise
            continue
        return account
    raise AssertionError("unreachable")
