"""Ledger reads: a transaction, an account's history, holds, balance as of t, statements."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from corebank.core.api import API_PREFIX, MAX_ID
from corebank.core.deps import CursorCodecDep, PageDep
from corebank.core.money import PositiveAmountStr
from corebank.core.pagination import Page
from corebank.identity.deps import CurrentPrincipal
from corebank.ledger import history, holds
from corebank.ledger.deps import LedgerDep
from corebank.ledger.schemas import (
    AccountTransactionOut,
    BalanceOut,
    HoldOut,
    StatementOut,
    TransactionOut,
)
from corebank.models.ledger import EntryType, HoldStatus

router = APIRouter(prefix=API_PREFIX, tags=["ledger"])

AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="Account id")]
MOMENT = "A date (a whole UTC day, inclusive) or an ISO 8601 timestamp (inclusive)"
From = Annotated[str | None, Query(alias="from", max_length=40, description=MOMENT)]
To = Annotated[str | None, Query(max_length=40, description=MOMENT)]
READ_ERRORS = {
    401: {"description": "Not authenticated"},
    404: {"description": "No such account or transaction, or not yours"},
    422: {"description": "Invalid filter"},
}


@router.get(
    "/transactions/{transaction_id}",
    summary="Get a transaction",
    response_model=TransactionOut,
    responses=READ_ERRORS,
)
async def get_transaction(
    transaction_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    principal: CurrentPrincipal,
    ctx: LedgerDep,
) -> TransactionOut:
    """A transaction with its postings; a customer sees one that touches their accounts."""
    return await history.get_transaction(ctx, actor=principal, entry_id=transaction_id)


@router.get(
    "/accounts/{account_id}/transactions",
    summary="An account's transactions",
    response_model=Page[AccountTransactionOut],
    responses=READ_ERRORS,
)
async def list_transactions(
    account_id: AccountId,
    principal: CurrentPrincipal,
    ctx: LedgerDep,
    page: PageDep,
    codec: CursorCodecDep,
    from_: From = None,
    to: To = None,
    type: EntryType | None = None,
    min_amount: PositiveAmountStr | None = None,
    max_amount: PositiveAmountStr | None = None,
) -> Page[AccountTransactionOut]:
    """Newest first, each with the account's balance after it. Filters: `from`/`to` (dates
    or timestamps, inclusive), `type`, `min_amount`/`max_amount` (the amount on this account:
    the transaction's, or for a multi-leg transaction the leg's)."""
    items, next_cursor = await history.list_account_transactions(
        ctx,
        actor=principal,
        account_id=account_id,
        params=page,
        codec=codec,
        start=history.parse_moment(from_, loc="from", end=False) if from_ else None,
        end=history.parse_moment(to, loc="to", end=True) if to else None,
        type=type,
        min_amount=min_amount,
        max_amount=max_amount,
    )
    return Page[AccountTransactionOut](items=items, next_cursor=next_cursor)


@router.get(
    "/accounts/{account_id}/holds",
    summary="An account's holds",
    response_model=Page[HoldOut],
    responses=READ_ERRORS,
)
async def list_holds(
    account_id: AccountId,
    principal: CurrentPrincipal,
    ctx: LedgerDep,
    page: PageDep,
    codec: CursorCodecDep,
    status: HoldStatus | None = None,
) -> Page[HoldOut]:
    """Holds on the account, newest first; holds past their expiry show as expired."""
    items, next_cursor = await holds.list_holds(
        ctx,
        actor=principal,
        account_id=account_id,
        params=page,
        codec=codec,
        status=status,
    )
    return Page[HoldOut](items=items, next_cursor=next_cursor)


@router.get(
    "/accounts/{account_id}/balance",
    summary="Balance as of a moment",
    response_model=BalanceOut,
    responses=READ_ERRORS,
)
async def balance_at(
    account_id: AccountId,
    principal: CurrentPrincipal,
    ctx: LedgerDep,
    at: Annotated[str | None, Query(max_length=40, description=MOMENT)] = None,
) -> BalanceOut:
    """The posted balance as of `at` (default now), summed from the account's postings; a
    date means the end of that day (UTC)."""
    until = history.parse_moment(at, loc="at", end=True) if at else None
    return await history.balance_at(ctx, actor=principal, account_id=account_id, until=until)


@router.get(
    "/accounts/{account_id}/statement",
    summary="Account statement",
    response_model=StatementOut,
    responses={
        **READ_ERRORS,
        200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"},
    },
)
async def statement(
    account_id: AccountId,
    principal: CurrentPrincipal,
    ctx: LedgerDep,
    from_: From = None,
    to: To = None,
    format: Literal["json", "csv"] = "json",
) -> Response | StatementOut:
    """Opening balance, every line of the period and the closing balance (opening + lines).

    `from` and `to` are dates (whole UTC days, inclusive) or ISO 8601 timestamps; `from`
    defaults to the account's opening and `to` to now. `format=csv` gives a CSV file with a
    header row, plain decimal amounts and ISO 8601 dates.
    """
    result = await history.statement(
        ctx,
        actor=principal,
        account_id=account_id,
        start=history.parse_moment(from_, loc="from", end=False) if from_ else None,
        end=history.parse_moment(to, loc="to", end=True) if to else None,
    )
    if format == "json":
        return result
    return Response(
        content=history.statement_csv(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="statement-{result.number}.csv"'},
    )
