"""Account endpoints: open, list, read, change and close accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status
from starlette.responses import JSONResponse

from corebank.accounts import lifecycle, service
from corebank.accounts.context import AccountsContext
from corebank.accounts.schemas import AccountCreate, AccountOut, AccountUpdate
from corebank.approvals.schemas import PENDING_APPROVAL, ApprovalOut, accepted
from corebank.core.api import API_PREFIX, MAX_ID
from corebank.core.deps import CursorCodecDep, PageDep
from corebank.core.pagination import Page
from corebank.identity.deps import CurrentPrincipal
from corebank.models.account import AccountStatus

router = APIRouter(prefix=f"{API_PREFIX}/accounts", tags=["accounts"])


async def accounts_context(request: Request) -> AccountsContext:
    return request.app.state.container.accounts


AccountsDep = Annotated[AccountsContext, Depends(accounts_context)]

AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="Account id")]
UNAUTHENTICATED = {401: {"description": "Not authenticated"}}
NOT_FOUND = {404: {"description": "No such account, or not yours"}}
INVALID = {422: {"description": "Validation failed"}}


@router.post(
    "",
    summary="Open an account",
    status_code=status.HTTP_201_CREATED,
    response_model=AccountOut,
    responses={
        **UNAUTHENTICATED,
        404: {"description": "No such customer"},
        422: {"description": "Validation failed, currency not offered, KYC not verified"},
    },
)
async def open_account(
    body: AccountCreate, principal: CurrentPrincipal, ctx: AccountsDep
) -> AccountOut:
    """Open a checking or savings account. Staff name the customer; a customer opens their own.

    With KYC_REQUIRED the customer must be verified. The account starts active with a zero
    balance and no overdraft; its number carries ISO 7064 mod 97-10 check digits.
    """
    account = await service.open_account(
        ctx,
        actor=principal,
        customer_id=body.customer_id,
        type=body.type,
        currency=body.currency,
        nickname=body.nickname,
    )
    return AccountOut.of(account)


@router.get(
    "",
    summary="List accounts",
    response_model=Page[AccountOut],
    responses={**UNAUTHENTICATED, **INVALID},
)
async def list_accounts(
    principal: CurrentPrincipal,
    ctx: AccountsDep,
    page: PageDep,
    codec: CursorCodecDep,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: AccountStatus | None = None,
    currency: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
) -> Page[AccountOut]:
    """Accounts, newest first: a customer sees their own; staff see all and may filter."""
    accounts, next_cursor = await service.list_accounts(
        ctx,
        actor=principal,
        params=page,
        codec=codec,
        customer_id=customer_id,
        status=status,
        currency=currency,
    )
    return Page[AccountOut](items=[AccountOut.of(a) for a in accounts], next_cursor=next_cursor)


@router.get(
    "/by-number/{number}",
    summary="Find an account by number",
    response_model=AccountOut,
    responses={
        **UNAUTHENTICATED,
        **NOT_FOUND,
        422: {"description": "The number's check digits do not match (no lookup is made)"},
    },
)
async def get_account_by_number(
    number: Annotated[str, Path(max_length=64)],
    principal: CurrentPrincipal,
    ctx: AccountsDep,
) -> AccountOut:
    """An account by its 12-digit number; a mistyped number is refused before any lookup."""
    account = await service.get_account_by_number(ctx, actor=principal, number=number)
    return AccountOut.of(account)


@router.get(
    "/{account_id}",
    summary="Get an account",
    response_model=AccountOut,
    responses={**UNAUTHENTICATED, **NOT_FOUND, **INVALID},
)
async def get_account(
    account_id: AccountId, principal: CurrentPrincipal, ctx: AccountsDep
) -> AccountOut:
    """One account with its balance, available balance and overdraft limit."""
    account = await service.get_account(ctx, actor=principal, account_id=account_id)
    return AccountOut.of(account)


@router.patch(
    "/{account_id}",
    summary="Change an account",
    response_model=AccountOut,
    responses={
        **UNAUTHENTICATED,
        **NOT_FOUND,
        409: {"description": "The account is closed"},
        422: {"description": "Field not allowed for the role, or limit above the credit limit"},
    },
)
async def update_account(
    account_id: AccountId,
    body: AccountUpdate,
    principal: CurrentPrincipal,
    ctx: AccountsDep,
) -> AccountOut:
    """A customer may rename their account; staff may also freeze or unfreeze it and set its
    overdraft limit (at most the customer's credit limit, converted 1:1 into the currency)."""
    account = await lifecycle.update_account(
        ctx,
        actor=principal,
        account_id=account_id,
        changes=body.model_dump(exclude_unset=True),
    )
    return AccountOut.of(account)


@router.post(
    "/{account_id}/close",
    summary="Close an account",
    response_model=AccountOut,
    responses={
        **UNAUTHENTICATED,
        **NOT_FOUND,
        202: PENDING_APPROVAL,
        409: {"description": "Already closed, balance not zero, open holds, or frozen"},
        **INVALID,
    },
)
async def close_account(
    account_id: AccountId, principal: CurrentPrincipal, ctx: AccountsDep
) -> AccountOut | JSONResponse:
    """Close an account whose balance is zero and which has no open holds. Closing is final.
    With `account_closure` in APPROVAL_OPERATIONS the answer is 202 and a pending approval
    request; a second person's approval closes it (docs/approvals.md)."""
    closed = await lifecycle.close_account(ctx, actor=principal, account_id=account_id)
    if isinstance(closed, ApprovalOut):
        return accepted(closed)
    return AccountOut.of(closed)
