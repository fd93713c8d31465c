"""Every query of strong customer authentication."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.models.account import Account, AccountKind, AccountStatus
from corebank.models.customer import Customer
from corebank.models.mfa import ScaChallenge, TrustedPayee
from corebank.models.user import User


async def add_challenge(session: AsyncSession, challenge: ScaChallenge) -> ScaChallenge:
    session.add(challenge)
    await session.flush()
    return challenge


async def challenge(
    session: AsyncSession, challenge_id: int, *, for_update: bool = False
) -> ScaChallenge | None:
    stmt = select(ScaChallenge).where(ScaChallenge.id == challenge_id)
    return await session.scalar(stmt.with_for_update() if for_update else stmt)


async def challenge_by_code(session: AsyncSession, digest: str) -> ScaChallenge | None:
    """The challenge whose authorization code has this digest, locked."""
    return await session.scalar(
        select(ScaChallenge).where(ScaChallenge.code_hash == digest).with_for_update()
    )


async def user_for_update(session: AsyncSession, user_id: int) -> User | None:
    return await session.scalar(select(User).where(User.id == user_id).with_for_update())


async def is_trusted(session: AsyncSession, *, user_id: int, account_id: int) -> bool:
    found = await session.scalar(
        select(TrustedPayee.id).where(
            TrustedPayee.user_id == user_id, TrustedPayee.account_id == account_id
        )
    )
    return found is not None


async def trusted_payees(session: AsyncSession, user_id: int) -> list[TrustedPayee]:
    found = await session.scalars(
        select(TrustedPayee).where(TrustedPayee.user_id == user_id).order_by(TrustedPayee.id)
    )
    return list(found.all())


async def add_trusted_payee(
    session: AsyncSession, *, user_id: int, account_id: int, now: datetime
) -> TrustedPayee | None:
    """The new trusted payee, or None when the account is already trusted."""
    payee = TrustedPayee(user_id=user_id, account_id=account_id, created_at=now)
    try:
        async with session.begin_nested():
            session.add(payee)
    except IntegrityError:
        return None
    return payee


async def remove_trusted_payee(session: AsyncSession, *, user_id: int, payee_id: int) -> bool:
    removed = await session.execute(
        delete(TrustedPayee).where(TrustedPayee.id == payee_id, TrustedPayee.user_id == user_id)
    )
    return removed.rowcount == 1  # type: ignore[attr-defined,no-any-return]


async def receiving_account(
    session: AsyncSession, account_id: int
) -> Row[tuple[int | None]] | None:
    """The row (`user_id`: the owner's login, None for a customer without one) of an open
    customer account of a live customer; None when there is no such account."""
    found = await session.execute(
        select(Customer.user_id)
        .join(Account, Account.customer_id == Customer.id)
        .where(
            Account.id == account_id,
            Account.kind == AccountKind.customer,
            Account.status == AccountStatus.active,
            Customer.deleted_at.is_(None),
        )
    )
    return found.one_or_none()
