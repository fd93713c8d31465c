"""Refuse to delete a customer while one of their open accounts holds money."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.models.account import Account, AccountStatus


async def refuse_while_money_held(session: AsyncSession, customer_id: int) -> str | None:
    """A reason to refuse, or None.

    Every open account of the customer is locked (not only those holding money now), so a
    deposit racing the deletion either commits first and is seen, or waits and is refused:
    money never moves on an account of a deleted customer (409 account-closed).
    """
    rows = (
        await session.execute(
            select(Account.id, Account.balance_minor, Account.held_minor)
            .where(Account.customer_id == customer_id, Account.status != AccountStatus.closed)
            .order_by(Account.id)
            .with_for_update()
        )
    ).all()
    holding = [str(account_id) for account_id, balance, held in rows if balance or held]
    if not holding:
        return None
    return (
        f"The customer has open accounts holding money ({', '.join(holding)}); "
        "empty and close them first."
    )
