"""Queries on users."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.models.user import Role, User


async def by_identifier(session: AsyncSession, identifier: str) -> User | None:
    """The user whose canonical e-mail or username is `identifier`."""
    return await session.scalar(
        select(User).where(or_(User.email == identifier, User.username == identifier))
    )


async def by_id(session: AsyncSession, user_id: int, *, for_update: bool = False) -> User | None:
    stmt = select(User).where(User.id == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def email_or_username_taken(
    session: AsyncSession, *, email: str | None, username: str | None, exclude_id: int = 0
) -> str | None:
    """Which field ('email' or 'username') clashes with another user, if any."""
    for field, value in (("email", email), ("username", username)):
        if value is None:
            continue
        column = User.email if field == "email" else User.username
        clash = await session.scalar(select(User.id).where(column == value, User.id != exclude_id))
        if clash is not None:
            return field
    return None


def listing(*, role: Role | None, is_active: bool | None, q: str | None) -> Select[tuple[User]]:
    """Users filtered for the admin list (deleted users included, flagged by deleted_at)."""
    stmt = select(User)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if is_active is not None:
        stmt = stmt.where(User.is_active.is_(is_active))
    if q:
        stmt = stmt.where(
            or_(
                User.email.contains(q, autoescape=True),
                User.username.contains(q, autoescape=True),
                User.full_name.icontains(q, autoescape=True),
            )
        )
    return stmt
