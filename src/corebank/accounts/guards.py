"""Refuse to delete a customer while one of their open accounts holds money."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts import repository


async def refuse_while_money_held(session: AsyncSession, customer_id: int) -> str | None:
    """A reason to refuse, or None.

    Every open account of the customer is locked (not only those holding money now), so a
    deposit racing the deletion either commits first and is seen, or waits and is refused:
    money never moves on an account of a deleted customer (409 account-closed).
    """
    rows = await repository.lock_open_accounts_of_customer(session, customer_id)
    holding = [str(account_id) for account_id, balance, held in rows if balance or held]
    if not holding:
        return None
    return (
        f"The customer has open accounts holding money ({', '.join(holding)}); "
        "empty and close them first."
    )
