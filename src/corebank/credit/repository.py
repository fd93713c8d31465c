"""The credit checks' queries: the customer to score, and their row to store the score on."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.models.customer import Customer


async def live_customer(session: AsyncSession, customer_id: int) -> Customer | None:
    """The customer to score, unless soft-deleted."""
    return await session.scalar(
        select(Customer).where(Customer.id == customer_id, Customer.deleted_at.is_(None))
    )


async def customer_for_update(session: AsyncSession, customer_id: int) -> Customer | None:
    """The customer's row, locked to store a new score.

    By primary key only (no deleted_at filter): the customer was live when the check began.
    """
    return await session.get(Customer, customer_id, with_for_update=True)
