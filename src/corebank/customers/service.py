"""Customer rules (the customers domain)."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.models.customer import Customer


async def link_to_user(session: AsyncSession, *, user_id: int, email: str) -> None:
    """Link the live, unlinked customer record with this canonical e-mail to the user."""
    await session.execute(
        update(Customer)
        .where(Customer.email == email, Customer.user_id.is_(None), Customer.deleted_at.is_(None))
        .values(user_id=user_id)
    )
