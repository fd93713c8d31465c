"""Customer reads: one record (cached), the caller's own, and searched pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from corebank.core.errors import NotFound, ValidationFailed, field_error
from corebank.core.pagination import CursorCodec, PageParams, keyset_page
from corebank.customers import repository
from corebank.customers.context import CustomerContext, not_found
from corebank.customers.records import cache_key
from corebank.customers.schemas import CustomerOut
from corebank.customers.search import search_term
from corebank.models.base import as_utc
from corebank.models.customer import Customer


async def read_customer(
    ctx: CustomerContext, *, customer_id: int, viewer_user_id: int | None
) -> CustomerOut:
    """One live customer, from the cache when possible. A non-staff viewer (`viewer_user_id`)
    sees only the record linked to them; anything else is 404, never 403."""

    async def load() -> bytes | None:
        async with ctx.db.read() as session:
            customer = await repository.by_id(session, customer_id)
        if customer is None:
            return None
        return CustomerOut.of(customer, currency=ctx.currency).model_dump_json().encode()

    raw = await ctx.cache.get_or_load(cache_key(customer_id), load)
    view = None if raw is None else CustomerOut.model_validate_json(raw)
    if view is None or (viewer_user_id is not None and view.user_id != viewer_user_id):
        raise not_found()
    return view


async def my_customer(ctx: CustomerContext, *, user_id: int) -> Customer:
    """The live customer record linked to this user; 404 when there is none."""
    async with ctx.db.read() as session:
        customer = await repository.by_user(session, user_id)
    if customer is None:
        raise NotFound("No customer record is linked to your user.", type="customer-not-found")
    return customer


async def list_customers(
    ctx: CustomerContext,
    *,
    codec: CursorCodec,
    params: PageParams,
    filters: repository.Filters,
    q: str | None,
) -> tuple[list[Customer], str | None]:
    """One page of customers matching the filters and the search text, newest first."""
    try:
        term = search_term(q) if q else None
    except ValueError as exc:
        raise _bad_query("q", str(exc)) from None
    filters = replace(
        filters,
        term=term,
        created_from=_utc(filters.created_from, "created_from"),
        created_to=_utc(filters.created_to, "created_to"),
    )
    stmt = repository.listing(filters, dialect=ctx.db.dialect)
    async with ctx.db.read() as session:
        return await keyset_page(
            session, stmt, id_column=Customer.id, params=params, codec=codec, scope="customers"
        )


def _utc(value: datetime | None, name: str) -> datetime | None:
    """`value` in UTC (a naive one is taken as UTC); 422 when it cannot be represented."""
    try:
        return None if value is None else as_utc(value)
    except OverflowError:
        raise _bad_query(name, "date-time out of range") from None


def _bad_query(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[field_error(["query", name], message)])
