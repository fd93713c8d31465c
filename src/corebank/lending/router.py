"""Lending's endpoints: loan products (admin), applications, decisions, disbursement,
schedules, repayments, payoff quotes and statements (docs/lending.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, status
from starlette.responses import JSONResponse, Response

from corebank.approvals.schemas import PENDING_APPROVAL, ApprovalOut, accepted
from corebank.core.api import API_PREFIX, MAX_ID
from corebank.core.deps import CursorCodecDep, PageDep
from corebank.core.pagination import Page
from corebank.identity.deps import AdminPrincipal, CurrentPrincipal, StaffPrincipal
from corebank.ledger.deps import (
    MONEY_ERRORS,
    IdempotencyKeyHeader,
    PinHeader,
    idempotency_request,
    respond,
)
from corebank.ledger.service import PinCheck
from corebank.lending import money, service
from corebank.lending.context import LendingContext
from corebank.lending.schemas import (
    DecisionIn,
    LoanIn,
    LoanOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    QuoteOut,
    RepaymentIn,
    RepaymentOut,
    ScheduleOut,
    StatementOut,
)
from corebank.models.loan import LoanStatus

router = APIRouter(prefix=API_PREFIX, tags=["lending"])


async def lending_context(request: Request) -> LendingContext:
    return request.app.state.container.lending


LendingDep = Annotated[LendingContext, Depends(lending_context)]
ProductId = Annotated[int, Path(ge=1, le=MAX_ID, description="Loan product id")]
LoanId = Annotated[int, Path(ge=1, le=MAX_ID, description="Loan id")]

NOT_AUTHENTICATED: dict[int | str, dict[str, Any]] = {401: {"description": "Not authenticated"}}
PRODUCT_ERRORS: dict[int | str, dict[str, Any]] = {
    **NOT_AUTHENTICATED,
    403: {"description": "Admins only"},
    404: {"description": "`loan-product-not-found`"},
    409: {
        "description": "`loan-product-in-use`: a loan uses it, its terms cannot change; "
        "`loan-product-name-taken`"
    },
    422: {"description": "Validation failed (bounds, rate, late fee, grace)"},
}
LOAN_READ: dict[int | str, dict[str, Any]] = {
    **NOT_AUTHENTICATED,
    404: {"description": "`loan-not-found`: no such loan, or (customers) not yours"},
    422: {"description": "Validation failed"},
}
DECISION_ERRORS: dict[int | str, dict[str, Any]] = {
    **LOAN_READ,
    403: {
        "description": "Staff only; `four-eyes-violation`: who applied for the loan does not "
        "approve it"
    },
    409: {"description": "`loan-state`: only an application (`applied`) is decided"},
    422: {
        "description": "`loan-approval-refused` (`reason`: `kyc` not verified, no recent "
        "`credit_check`, `credit_limit` exceeded), or a decision without a reason"
    },
    503: {"description": "`credit-bureau-unavailable`: the credit check could not run"},
}


@router.post(
    "/loan-products",
    summary="Create a loan product",
    status_code=status.HTTP_201_CREATED,
    response_model=ProductOut,
    responses=PRODUCT_ERRORS,
)
async def create_loan_product(
    body: ProductIn, principal: AdminPrincipal, ctx: LendingDep
) -> ProductOut:
    """Terms loans are made on: currency, rate (percent a year), term and amount bounds,
    amortization, day count, grace on principal, late fee and its tolerance."""
    return await service.create_product(ctx, actor=principal, body=body)


@router.get(
    "/loan-products", summary="Loan products", response_model=Page[ProductOut], responses=LOAN_READ
)
async def list_loan_products(
    principal: CurrentPrincipal, ctx: LendingDep, page: PageDep, codec: CursorCodecDep
) -> Page[ProductOut]:
    items, cursor = await service.list_products(ctx, params=page, codec=codec)
    return Page[ProductOut](items=items, next_cursor=cursor)


@router.get(
    "/loan-products/{product_id}",
    summary="A loan product",
    response_model=ProductOut,
    responses=PRODUCT_ERRORS,
)
async def get_loan_product(
    product_id: ProductId, principal: CurrentPrincipal, ctx: LendingDep
) -> ProductOut:
    return await service.get_product(ctx, product_id=product_id)


@router.patch(
    "/loan-products/{product_id}",
    summary="Change or retire a loan product",
    response_model=ProductOut,
    responses=PRODUCT_ERRORS,
)
async def update_loan_product(
    product_id: ProductId, body: ProductPatch, principal: AdminPrincipal, ctx: LendingDep
) -> ProductOut:
    """The name and the status (`retired`: no new loans) always; the terms only while no loan
    uses the product (409 `loan-product-in-use`)."""
    return await service.update_product(
        ctx, actor=principal, product_id=product_id, changes=body.model_dump(exclude_unset=True)
    )


@router.post(
    "/loans",
    summary="Apply for a loan",
    status_code=status.HTTP_201_CREATED,
    response_model=LoanOut,
    responses={
        **LOAN_READ,
        404: {"description": "`loan-product-not-found`"},
        409: {"description": "`loan-product-retired`"},
        422: {
            "description": "`outside-loan-product` (amount or term outside the bounds), "
            "`validation-error` (the account: not the customer's current account in the "
            "product's currency, or not active; staff without customer_id)"
        },
    },
)
async def apply_for_loan(body: LoanIn, principal: CurrentPrincipal, ctx: LendingDep) -> LoanOut:
    """A customer applies for themselves; staff for a customer (`customer_id`)."""
    return await service.apply(ctx, actor=principal, body=body)


@router.get("/loans", summary="Loans", response_model=Page[LoanOut], responses=LOAN_READ)
async def list_loans(
    principal: CurrentPrincipal,
    ctx: LendingDep,
    page: PageDep,
    codec: CursorCodecDep,
    customer_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    status: LoanStatus | None = None,
) -> Page[LoanOut]:
    """Newest first. Staff see every loan (filters); a customer their own."""
    items, cursor = await service.list_loans(
        ctx, actor=principal, params=page, codec=codec, customer_id=customer_id, status=status
    )
    return Page[LoanOut](items=items, next_cursor=cursor)


@router.get("/loans/{loan_id}", summary="A loan", response_model=LoanOut, responses=LOAN_READ)
async def get_loan(loan_id: LoanId, principal: CurrentPrincipal, ctx: LendingDep) -> LoanOut:
    return await service.get_loan(ctx, actor=principal, loan_id=loan_id)


@router.post(
    "/loans/{loan_id}/approve",
    summary="Approve an application",
    response_model=LoanOut,
    responses={**DECISION_ERRORS, 202: PENDING_APPROVAL},
)
async def approve_loan(
    loan_id: LoanId, body: DecisionIn, principal: StaffPrincipal, ctx: LendingDep
) -> LoanOut | JSONResponse:
    """Needs KYC `verified`, a credit check no older than CREDIT_CHECK_MAX_AGE_DAYS (one is run
    now through the bureau when stale), and the customer's open principal within their limit.
    Above the approval threshold the answer is 202 with an approval request: a second staff
    member approves it (docs/approvals.md) and the loan is approved then."""
    decided = await service.approve(ctx, checker=principal, loan_id=loan_id, reason=body.reason)
    if isinstance(decided, ApprovalOut):
        return accepted(decided)
    return decided


@router.post(
    "/loans/{loan_id}/reject",
    summary="Reject an application",
    response_model=LoanOut,
    responses=DECISION_ERRORS,
)
async def reject_loan(
    loan_id: LoanId, body: DecisionIn, principal: StaffPrincipal, ctx: LendingDep
) -> LoanOut:
    return await service.reject(ctx, checker=principal, loan_id=loan_id, reason=body.reason)


@router.post(
    "/loans/{loan_id}/disburse",
    summary="Disburse an approved loan",
    status_code=status.HTTP_201_CREATED,
    response_model=LoanOut,
    responses={
        **DECISION_ERRORS,
        409: {"description": "`loan-state`: only an approved loan is disbursed, once"},
    },
)
async def disburse_loan(
    loan_id: LoanId,
    request: Request,
    principal: StaffPrincipal,
    ctx: LendingDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Pay the loan out from the bank's loan portfolio account to the customer's account, once;
    the schedule is fixed from today and the loan becomes `active`."""
    outcome = await money.disburse(
        ctx,
        actor=principal,
        loan_id=loan_id,
        idempotency_request=idempotency_request(request, principal, idempotency_key, None),
    )
    return respond(outcome)


@router.get(
    "/loans/{loan_id}/schedule",
    summary="A loan's schedule",
    response_model=ScheduleOut,
    responses=LOAN_READ,
)
async def loan_schedule(
    loan_id: LoanId, principal: CurrentPrincipal, ctx: LendingDep
) -> ScheduleOut:
    """Every installment's due date, principal, interest, fee, total, remaining principal and
    what is paid; projected from today until the loan is disbursed."""
    return await money.schedule(ctx, actor=principal, loan_id=loan_id)


@router.post(
    "/loans/{loan_id}/repayments",
    summary="Repay a loan",
    status_code=status.HTTP_201_CREATED,
    response_model=RepaymentOut,
    responses={
        **MONEY_ERRORS,
        404: {"description": "`loan-not-found`"},
        409: {"description": "`loan-state`: the loan is not active; or the account is frozen"},
        422: {
            "description": "`loan-repayment-refused`: above the payoff, between what is due "
            "and the payoff with nothing left to prepay, or an account not the customer's; "
            "`insufficient-funds`; a malformed amount"
        },
    },
)
async def repay_loan(
    loan_id: LoanId,
    body: RepaymentIn,
    request: Request,
    principal: CurrentPrincipal,
    ctx: LendingDep,
    idempotency_key: IdempotencyKeyHeader = None,
    pin: PinHeader = None,
) -> Response:
    """Fees, interest, then principal of the oldest due installment first; the rest prepays
    principal (same installment amount, shorter term); the payoff quote pays it off."""
    outcome = await money.repay(
        ctx,
        actor=principal,
        loan_id=loan_id,
        amount=body.amount,
        from_account_id=body.from_account_id,
        cash=body.cash,
        pin=PinCheck(pin),
        idempotency_request=idempotency_request(
            request, principal, idempotency_key, body, pin_present=pin is not None
        ),
    )
    return respond(outcome)


@router.get(
    "/loans/{loan_id}/payoff-quote",
    summary="What pays a loan off today",
    response_model=QuoteOut,
    responses={**LOAN_READ, 409: {"description": "`loan-state`: not active"}},
)
async def payoff_quote(loan_id: LoanId, principal: CurrentPrincipal, ctx: LendingDep) -> QuoteOut:
    """The outstanding principal, interest and fees due, and interest accrued since the last
    due date; repaying exactly this total pays the loan off."""
    return await money.quote(ctx, actor=principal, loan_id=loan_id)


@router.get(
    "/loans/{loan_id}/statement",
    summary="A loan's statement",
    response_model=StatementOut,
    responses={
        **LOAN_READ,
        200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"},
    },
)
async def loan_statement(
    loan_id: LoanId,
    principal: CurrentPrincipal,
    ctx: LendingDep,
    format: Literal["json", "csv"] = "json",
) -> Response | StatementOut:
    """The disbursement, every repayment with its allocation, and every late fee."""
    result = await money.statement(ctx, actor=principal, loan_id=loan_id)
    if format == "json":
        return result
    return Response(
        content=money.statement_csv(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="loan-{loan_id}.csv"'},
    )
