"""Account changes: nickname, freezing, overdraft limit, and closing (final)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts import expiry, repository
from corebank.accounts.context import AccountsContext
from corebank.accounts.errors import (
    AccountClosed,
    AccountFrozen,
    AccountNotEmpty,
    AccountNotFound,
    OverdraftLimitRefused,
)
from corebank.accounts.repository import AccountRow
from corebank.accounts.service import owner_filter
from corebank.approvals import service as approvals
from corebank.approvals.context import ReservesNothing
from corebank.approvals.schemas import ApprovalOut
from corebank.core import audit, outbox
from corebank.core.errors import ValidationFailed, field_error
from corebank.core.money import format_amount, minor_units, parse_amount
from corebank.identity.principal import Principal
from corebank.models.account import Account, AccountStatus
from corebank.models.approval import ApprovalOperation, ApprovalRequest
from corebank.models.customer import Customer


def credit_limit_in(customer: Customer, currency: str, *, base_currency: str) -> int:
    """The customer's credit limit (kept in the base currency) as minor units of `currency`.

    Converted 1:1 in major units: a limit of 500.00 USD allows 500.00 EUR or 500 JPY.
    """
    shift = minor_units(currency) - minor_units(base_currency)
    limit = customer.credit_limit_minor
    return limit * 10**shift if shift >= 0 else limit // 10**-shift


async def update_account(
    ctx: AccountsContext,
    *,
    actor: Principal,
    account_id: int,
    changes: dict[str, object],
) -> AccountRow:
    """Apply the fields present in `changes`; customers may change only the nickname."""
    if not actor.is_staff:
        refused = sorted(set(changes) - {"nickname"})
        if refused:
            raise ValidationFailed(
                "Only staff may change these fields.",
                errors=[field_error(["body", f], "not allowed", "not_allowed") for f in refused],
            )

    async def work(session: AsyncSession) -> AccountRow:
        account = await _locked_visible(session, actor=actor, account_id=account_id)
        if account.status == AccountStatus.closed:
            raise AccountClosed("The account is closed; it cannot change.")
        now = ctx.clock.now()
        before = _snapshot(account)
        if "nickname" in changes:
            account.nickname = changes["nickname"]  # type: ignore[assignment]
        if changes.get("overdraft_limit") is not None:
            await _set_overdraft(
                session,
                account,
                str(changes["overdraft_limit"]),
                base_currency=ctx.settings.base_currency,
                now=now,
            )
        if changes.get("status") is not None:
            account.status = AccountStatus(str(changes["status"]))
        account.updated_at = now
        after = _snapshot(account)
        if after != before:
            _record_change(session, actor=actor, account=account, before=before, after=after)
        return repository.as_row(account)

    return await ctx.db.run(work)


async def _set_overdraft(
    session: AsyncSession, account: Account, text: str, *, base_currency: str, now: datetime
) -> None:
    try:
        limit = parse_amount(text, account.currency, allow_zero=True)
    except ValueError as exc:
        raise ValidationFailed(
            str(exc), errors=[field_error(["body", "overdraft_limit"], str(exc))]
        ) from None
    customer = await repository.customer_by_id(session, account.customer_id)
    ceiling = (
        0
        if customer is None
        else credit_limit_in(customer, account.currency, base_currency=base_currency)
    )
    if limit > ceiling:
        raise OverdraftLimitRefused(
            f"The overdraft limit may not exceed the customer's credit limit "
            f"({format_amount(ceiling, account.currency)} {account.currency}).",
            errors=[field_error(["body", "overdraft_limit"], "above the credit limit")],
        )
    if await expiry.expire_locked_account_holds(session, account_id=account.id, now=now):
        await repository.reload(session, account)
    if account.available_minor < -limit:
        raise OverdraftLimitRefused(
            "The account already uses more overdraft than that; lower it after repayment.",
            errors=[field_error(["body", "overdraft_limit"], "below the overdraft in use")],
        )
    account.overdraft_limit_minor = limit


def _snapshot(account: Account) -> dict[str, object]:
    return {
        "status": str(account.status),
        "nickname": account.nickname,
        "overdraft_limit_minor": account.overdraft_limit_minor,
    }


def _record_change(
    session: AsyncSession,
    *,
    actor: Principal,
    account: Account,
    before: dict[str, object],
    after: dict[str, object],
) -> None:
    audit.record(
        session,
        "account.updated",
        actor_id=actor.user.id,
        target_type="account",
        target_id=account.id,
        before=before,
        after=after,
    )
    event = "account.updated"
    if before["status"] != after["status"]:
        event = "account.frozen" if account.status == AccountStatus.frozen else "account.unfrozen"
    outbox.emit(
        session,
        event,
        {"account_id": account.id, "changes": sorted(k for k in after if after[k] != before[k])},
        aggregate_type="account",
        aggregate_id=account.id,
    )


async def _locked_visible(session: AsyncSession, *, actor: Principal, account_id: int) -> Account:
    account = await repository.get(
        session, account_id, owner_user_id=owner_filter(actor), for_update=True
    )
    if account is None:
        raise AccountNotFound("No such account.")
    return account


async def close_account(
    ctx: AccountsContext, *, actor: Principal, account_id: int
) -> AccountRow | ApprovalOut:
    """Close an account with a zero balance and no open holds; closing is final. When
    closures need approval (APPROVAL_OPERATIONS), a closable account's request waits instead."""

    async def work(session: AsyncSession) -> AccountRow | ApprovalOut:
        account = await _locked_visible(session, actor=actor, account_id=account_id)
        now = ctx.clock.now()
        await _require_closable(session, account, by_staff=actor.is_staff, now=now)
        if ctx.approvals.policy.always(ApprovalOperation.account_closure):
            return await approvals.submit(
                session,
                ctx.approvals,
                maker_id=actor.user.id,
                operation=ApprovalOperation.account_closure,
                subject=("account", account.id),
                request={"account_id": account.id},
                now=now,
            )
        return close_locked(session, account, actor_id=actor.user.id, now=now)

    return await ctx.db.run(work)


async def _require_closable(
    session: AsyncSession, account: Account, *, by_staff: bool, now: datetime
) -> None:
    if account.status == AccountStatus.closed:
        raise AccountClosed("The account is already closed.")
    if account.status == AccountStatus.frozen and not by_staff:
        raise AccountFrozen("A frozen account can be closed only by the bank.")
    if await expiry.expire_locked_account_holds(session, account_id=account.id, now=now):
        await repository.reload(session, account)
    if account.held_minor:
        raise AccountNotEmpty(
            "The account has open holds; capture or void them first.",
            type="account-has-open-holds",
        )
    if account.balance_minor:
        raise AccountNotEmpty("Only an account with a zero balance can be closed.")


def close_locked(
    session: AsyncSession, account: Account, *, actor_id: int, now: datetime
) -> AccountRow:
    """Close the locked, closable account (audited, `account.closed` emitted)."""
    before = _snapshot(account)
    account.status, account.closed_at, account.updated_at = AccountStatus.closed, now, now
    audit.record(
        session,
        "account.closed",
        actor_id=actor_id,
        target_type="account",
        target_id=account.id,
        before=before,
        after=_snapshot(account),
    )
    outbox.emit(
        session,
        "account.closed",
        {"account_id": account.id},
        aggregate_type="account",
        aggregate_id=account.id,
    )
    return repository.as_row(account)


class ClosureExecutor(ReservesNothing):
    """An approved closure: the account is checked again (money may have come in meanwhile:
    then 409 and the request stays pending) and closed."""

    async def execute(
        self, session: AsyncSession, request: ApprovalRequest, *, checker: Principal, now: datetime
    ) -> dict[str, Any]:
        account = await _locked_visible(session, actor=checker, account_id=request.subject_id)
        await _require_closable(session, account, by_staff=True, now=now)
        close_locked(session, account, actor_id=checker.user.id, now=now)
        return {"account_id": account.id, "status": str(AccountStatus.closed)}
