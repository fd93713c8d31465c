"""Every customer query. "Live" means not soft-deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, column, func, or_, select, table, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.customers.search import MIN_INDEXED_LENGTH
from corebank.models.customer import Customer, CustomerStatus, KycStatus
from corebank.models.user import User

LIVE = Customer.deleted_at.is_(None)
UNIQUE_FIELDS = ("email", "phone", "user_id")

_fts = table("customers_search", column("rowid"))


async def by_id(
    session: AsyncSession, customer_id: int, *, deleted: bool = False, for_update: bool = False
) -> Customer | None:
    """The live customer (or, with `deleted=True`, the soft-deleted one) with this id."""
    state = Customer.deleted_at.is_not(None) if deleted else LIVE
    stmt = select(Customer).where(Customer.id == customer_id, state)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def by_user(session: AsyncSession, user_id: int) -> Customer | None:
    """The live customer record linked to this user."""
    return await session.scalar(select(Customer).where(Customer.user_id == user_id, LIVE))


async def insert(session: AsyncSession, customer: Customer) -> None:
    """INSERT the new customer now, so it has its id before the change is audited."""
    session.add(customer)
    await session.flush()


async def flush(session: AsyncSession) -> None:
    """Send the pending changes now; a lost race on a unique field raises IntegrityError here."""
    await session.flush()


async def first_clash(
    session: AsyncSession,
    *,
    email: str | None,
    phone: str | None,
    user_id: int | None,
    exclude_id: int = 0,
) -> str | None:
    """Which of e-mail, phone and user_id another live customer already has, if any."""
    wanted = {"email": email, "phone": phone, "user_id": user_id}
    conditions = [getattr(Customer, f) == v for f, v in wanted.items() if v is not None]
    if not conditions:
        return None
    rows = await session.execute(
        select(Customer.email, Customer.phone, Customer.user_id)
        .where(LIVE, Customer.id != exclude_id, or_(*conditions))
        .limit(len(UNIQUE_FIELDS))
    )
    found = [row._mapping for row in rows]
    return next(
        (
            f
            for f in UNIQUE_FIELDS
            if wanted[f] is not None and any(r[f] == wanted[f] for r in found)
        ),
        None,
    )


def clashing_field(exc: IntegrityError) -> str | None:
    """The unique field an IntegrityError (a lost race) is about, when it can be told."""
    message = str(exc.orig)
    for field in UNIQUE_FIELDS:
        if f"uq_customers_{field}_live" in message or f"customers.{field}" in message:
            return field
    return None


async def live_user_exists(session: AsyncSession, user_id: int) -> bool:
    """Whether a user with this id exists and is not deleted (one a customer may link to)."""
    found = await session.scalar(
        select(User.id).where(User.id == user_id, User.deleted_at.is_(None))
    )
    return found is not None


@dataclass(frozen=True)
class Filters:
    kyc_status: KycStatus | None = None
    status: CustomerStatus = CustomerStatus.active
    created_from: datetime | None = None
    created_to: datetime | None = None
    term: str | None = None


def listing(filters: Filters, *, dialect: str) -> Select[tuple[Customer]]:
    """Customers matching `filters` (keyset-paged by the caller, newest first)."""
    deleted = filters.status is CustomerStatus.deleted
    stmt = select(Customer).where(Customer.deleted_at.is_not(None) if deleted else LIVE)
    if filters.kyc_status is not None:
        stmt = stmt.where(Customer.kyc_status == filters.kyc_status)
    if filters.created_from is not None:
        stmt = stmt.where(Customer.created_at >= filters.created_from)
    if filters.created_to is not None:
        stmt = stmt.where(Customer.created_at <= filters.created_to)
    if filters.term:
        stmt = stmt.where(search_condition(filters.term, dialect=dialect))
    return stmt


def search_condition(term: str, *, dialect: str) -> ColumnElement[bool]:
    """`search_text` contains `term` literally, through each backend's trigram index.

    PostgreSQL: LIKE with `%`, `_` and `\\` escaped, served by the pg_trgm GIN index.
    SQLite: an FTS5 trigram phrase query (everything in "..." is literal) for 3+ characters;
    shorter terms have no trigram, so `instr()` scans the live rows instead.
    """
    if dialect == "postgresql":
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return Customer.search_text.like(f"%{escaped}%", escape="\\")
    if len(term) < MIN_INDEXED_LENGTH:
        return func.instr(Customer.search_text, term) > 0
    phrase = '"' + term.replace('"', '""') + '"'
    matches = (
        select(_fts.c.rowid)
        .where(text("customers_search MATCH :phrase").bindparams(phrase=phrase))
        .scalar_subquery()
    )
    return Customer.id.in_(matches)
