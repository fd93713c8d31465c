"""Account rules: opening accounts, and who may see which (a customer only their own)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts import expiry, repository
from corebank.accounts.context import AccountsContext
from corebank.accounts.errors import (
    AccountNotFound,
    InvalidAccountNumber,
    KycRequired,
)
from corebank.accounts.numbers import is_valid_account_number
from corebank.accounts.repository import AccountRow
from corebank.core import audit, outbox
from corebank.core.errors import NotFound, ValidationFailed, field_error
from corebank.core.money import CURRENCY_MINOR_UNITS
from corebank.core.pagination import CursorCodec, PageParams
from corebank.identity.principal import Principal
from corebank.models.account import AccountType
from corebank.models.customer import Customer, KycStatus


def owner_filter(actor: Principal) -> int | None:
    """The user whose accounts a caller is limited to: None for staff, themselves otherwise."""
    return None if actor.is_staff else actor.user.id


async def open_account(
    ctx: AccountsContext,
    *,
    actor: Principal,
    customer_id: int | None,
    type: str,
    currency: str,
    nickname: str | None,
) -> AccountRow:
    """Open an account for a customer (staff) or for the calling customer themselves."""
    settings = ctx.settings
    if currency not in settings.currencies or currency not in CURRENCY_MINOR_UNITS:
        raise ValidationFailed(
            f"Accounts may hold {', '.join(settings.currencies)}.",
            type="unsupported-currency",
            errors=[field_error(["body", "currency"], "currency not offered", "currency")],
        )

    async def work(session: AsyncSession) -> AccountRow:
        customer = await _account_holder(session, actor=actor, customer_id=customer_id)
        if settings.kyc_required and customer.kyc_status != KycStatus.verified:
            raise KycRequired("The customer's identity must be verified before opening accounts.")
        account = await repository.insert(
            session,
            customer_id=customer.id,
            type=AccountType(type),
            currency=currency,
            nickname=nickname,
            now=ctx.clock.now(),
        )
        payload = {"account_id": account.id, "customer_id": customer.id, "currency": currency}
        audit.record(
            session,
            "account.created",
            actor_id=actor.user.id,
            target_type="account",
            target_id=account.id,
            after={**payload, "type": type, "number": account.number},
        )
        outbox.emit(
            session, "account.created", payload, aggregate_type="account", aggregate_id=account.id
        )
        return repository.as_row(account)

    return await ctx.db.run(work)


async def _account_holder(
    session: AsyncSession, *, actor: Principal, customer_id: int | None
) -> Customer:
    if actor.is_staff:
        if customer_id is None:
            raise ValidationFailed(
                "Name the customer the account is for.",
                errors=[field_error(["body", "customer_id"], "required for staff", "missing")],
            )
        customer = await repository.live_customer(session, customer_id)
        if customer is None:
            raise NotFound("No such customer.", type="customer-not-found")
        return customer
    customer = await repository.customer_of_user(session, actor.user.id)
    if customer is None:
        raise ValidationFailed(
            "Your user has no customer record yet; ask the bank to create one.",
            type="customer-profile-required",
        )
    if customer_id is not None and customer_id != customer.id:
        raise ValidationFailed(
            "Customers open accounts only for themselves; omit customer_id.",
            errors=[field_error(["body", "customer_id"], "not allowed", "not_allowed")],
        )
    return customer


async def list_accounts(
    ctx: AccountsContext,
    *,
    actor: Principal,
    params: PageParams,
    codec: CursorCodec,
    customer_id: int | None,
    status: str | None,
    currency: str | None,
) -> tuple[list[AccountRow], str | None]:
    """Accounts the caller may see, newest first; expired holds are released first."""
    async with ctx.db.read() as session:
        rows, cursor = await repository.page_of_rows(
            session,
            owner_user_id=owner_filter(actor),
            customer_id=customer_id,
            status=status,
            currency=currency,
            params=params,
            codec=codec,
        )
    return await _release_expired(ctx, rows), cursor


async def _release_expired(
    ctx: AccountsContext, accounts: Sequence[AccountRow]
) -> list[AccountRow]:
    """Expire due holds of the given accounts (one query when none is due) and reload those."""
    now = ctx.clock.now()
    held = [a.id for a in accounts if a.held_minor > 0]
    if not held:
        return list(accounts)
    async with ctx.db.read() as session:
        due = await repository.due_hold_accounts(session, held, now=now)
    if not due:
        return list(accounts)
    for account_id in due:
        await expiry.expire_account_holds(ctx.db, account_id=account_id, now=now)
    async with ctx.db.read() as session:
        fresh = {a.id: a for a in await repository.rows_by_ids(session, due)}
    return [fresh.get(a.id, a) for a in accounts]


async def get_account(ctx: AccountsContext, *, actor: Principal, account_id: int) -> AccountRow:
    """One account the caller may see (404 otherwise)."""
    account = await visible_row(ctx, actor=actor, account_id=account_id)
    return (await _release_expired(ctx, [account]))[0]


async def visible_row(ctx: AccountsContext, *, actor: Principal, account_id: int) -> AccountRow:
    """An account's columns, if the caller may see it (404 otherwise)."""
    account = await repository.get_row(ctx.db, account_id, owner_user_id=owner_filter(actor))
    if account is None:
        raise AccountNotFound("No such account.")
    return account


async def find_by_number(
    ctx: AccountsContext,
    *,
    number: str,
    owner_user_id: int | None,
    field: list[str | int],
    subject: str = "That",
    not_found: str = "No such account.",
) -> AccountRow:
    """The account with this number (the one lookup by number): 422 naming `field` when the
    check digits do not match, 404 when no account visible to `owner_user_id` has it."""
    if not is_valid_account_number(number):
        raise InvalidAccountNumber(
            f"{subject} is not a valid account number (check digits do not match).",
            errors=[field_error(field, "invalid check digits", "account_number")],
        )
    account = await repository.get_row_by_number(ctx.db, number, owner_user_id=owner_user_id)
    if account is None:
        raise AccountNotFound(not_found)
    return account


async def get_account_by_number(
    ctx: AccountsContext, *, actor: Principal, number: str
) -> AccountRow:
    """Look an account up by its number; a mistyped number fails its check digits first."""
    account = await find_by_number(
        ctx, number=number, owner_user_id=owner_filter(actor), field=["path", "number"]
    )
    return (await _release_expired(ctx, [account]))[0]
