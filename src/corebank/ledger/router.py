"""Money endpoints: deposits, withdrawals, transfers, multi-leg transactions, holds and
reversals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from starlette.responses import Response

from corebank.core.api import API_PREFIX, MAX_ID
from corebank.identity.deps import AdminPrincipal, CurrentPrincipal, StaffPrincipal
from corebank.ledger import holds, multileg, reversal, service
from corebank.ledger.deps import (
    MONEY_ERRORS,
    IdempotencyKeyHeader,
    LedgerDep,
    PinHeader,
    ScaAuthorizationHeader,
    idempotency_request,
    respond,
)
from corebank.ledger.schemas import (
    CaptureIn,
    DepositIn,
    HoldCaptureOut,
    HoldIn,
    HoldOut,
    PostedTransactionOut,
    ReverseIn,
    TransactionIn,
    TransferIn,
    WithdrawalIn,
)

router = APIRouter(prefix=API_PREFIX, tags=["ledger"])

AccountId = Annotated[int, Path(ge=1, le=MAX_ID, description="Account id")]
HoldId = Annotated[int, Path(ge=1, le=MAX_ID, description="Hold id")]
TransactionId = Annotated[int, Path(ge=1, le=MAX_ID, description="Transaction id")]
HOLD_ERRORS = {
    **MONEY_ERRORS,
    404: {"description": "No such hold"},
    409: {"description": "Hold not open (captured, voided or expired), or account frozen"},
}
LEG_REFUSAL = " (`errors` names each refused leg: `{leg, reason, loc, msg, type}`)"
TRANSACTION_ERRORS = {
    **MONEY_ERRORS,
    401: {
        "description": "Not authenticated, or `sca-required`: with SCA on, a customer's "
        "transaction paying an account not theirs, without X-Transaction-PIN or an exemption "
        "for every payee, answers the `challenge` to complete; its terms are every leg "
        "(`legs_digest`, `legs_summary`)"
    },
    403: {
        "description": "Role not allowed; transaction PIN missing, wrong or blocked; or "
        "`sca-authorization-invalid`: the X-SCA-Authorization code does not cover exactly "
        "this set of legs (any leg changed, added, removed or reordered, or a transfer's "
        "code), was used or has expired"
    },
    404: {
        "description": "`account-not-found`: a leg's account does not exist, or a customer "
        "debits an account not theirs" + LEG_REFUSAL
    },
    409: {
        "description": "`account-closed` (an account of a leg) or `account-frozen` (a "
        "debited account)" + LEG_REFUSAL + ", or `idempotency-request-in-progress`"
    },
    422: {
        "description": "`validation-error`: fewer than 2 or more than 64 legs, bad metadata or "
        "a malformed amount; or, naming the legs" + LEG_REFUSAL + ": `same-account`, "
        "`cannot-receive-transfer` (a customer's payee), `currency-mismatch` (a leg whose two "
        "accounts hold different currencies), `validation-error` (an amount with too many "
        "digits for the leg's currency), `insufficient-funds` (checked on the balances after "
        "all legs); or `idempotency-key-reused`"
    },
}


@router.post(
    "/accounts/{account_id}/deposits",
    summary="Deposit (cash in)",
    status_code=status.HTTP_201_CREATED,
    response_model=PostedTransactionOut,
    responses=MONEY_ERRORS,
)
async def deposit(
    account_id: AccountId,
    body: DepositIn,
    request: Request,
    principal: StaffPrincipal,
    ctx: LedgerDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Credit an account with cash received (staff). Frozen accounts accept deposits."""
    outcome = await service.deposit(
        ctx,
        actor=principal,
        account_id=account_id,
        amount=body.amount,
        description=body.description,
        idempotency_request=idempotency_request(request, principal, idempotency_key, body),
    )
    return respond(outcome)


@router.post(
    "/accounts/{account_id}/withdrawals",
    summary="Withdraw (cash out)",
    status_code=status.HTTP_201_CREATED,
    response_model=PostedTransactionOut,
    responses=MONEY_ERRORS,
)
async def withdraw(
    account_id: AccountId,
    body: WithdrawalIn,
    request: Request,
    principal: CurrentPrincipal,
    ctx: LedgerDep,
    idempotency_key: IdempotencyKeyHeader = None,
    pin: PinHeader = None,
) -> Response:
    """Pay cash out of an account: staff, or the owner (with X-Transaction-PIN once set)."""
    outcome = await service.withdraw(
        ctx,
        actor=principal,
        account_id=account_id,
        amount=body.amount,
        description=body.description,
        pin=service.PinCheck(pin),
        idempotency_request=idempotency_request(
            request, principal, idempotency_key, body, pin_present=pin is not None
        ),
    )
    return respond(outcome)


@router.post(
    "/transfers",
    summary="Transfer between accounts",
    status_code=status.HTTP_201_CREATED,
    response_model=PostedTransactionOut,
    responses=MONEY_ERRORS,
)
async def transfer(
    body: TransferIn,
    request: Request,
    principal: CurrentPrincipal,
    ctx: LedgerDep,
    idempotency_key: IdempotencyKeyHeader = None,
    pin: PinHeader = None,
    sca_authorization: ScaAuthorizationHeader = None,
) -> Response:
    """Move money to any open account of the same currency, named by id or by number.

    A customer must own the source account (and send X-Transaction-PIN once one is set).
    Paying an account that is not theirs needs strong authentication (SCA_REQUIRED): without
    an exemption the answer is 401 `sca-required` with a challenge; complete it
    (`POST /api/v1/auth/challenges/{id}`) and retry with its code in X-SCA-Authorization, or
    send the right X-Transaction-PIN. An account that is not theirs and cannot receive the
    money is one answer, 422 `cannot-receive-transfer`.
    """
    outcome = await service.transfer(
        ctx,
        actor=principal,
        from_account_id=body.from_account_id,
        to_account_id=body.to_account_id,
        to_account_number=body.to_account_number,
        amount=body.amount,
        description=body.description,
        pin=service.PinCheck(pin),
        sca_authorization=sca_authorization,
        idempotency_request=idempotency_request(
            request, principal, idempotency_key, body, pin_present=pin is not None
        ),
    )
    return respond(outcome)


@router.post(
    "/transactions",
    summary="Post a multi-leg transaction",
    status_code=status.HTTP_201_CREATED,
    response_model=PostedTransactionOut,
    responses=TRANSACTION_ERRORS,
)
async def post_transaction(
    body: TransactionIn,
    request: Request,
    principal: CurrentPrincipal,
    ctx: LedgerDep,
    idempotency_key: IdempotencyKeyHeader = None,
    pin: PinHeader = None,
    sca_authorization: ScaAuthorizationHeader = None,
) -> Response:
    """Post 2 to 64 legs `{from_account_id, to_account_id, amount}` as one journal entry
    (type `multi_leg`): every leg, or none. Each leg's two accounts hold one currency; a set
    may mix currencies (each balances on its own; `totals` gives the sum per currency).

    Staff may debit any customer account; a customer only their own (and sends
    X-Transaction-PIN once one is set). Limits are checked on the balances after all legs,
    whatever their order. A refusal names each leg that caused it and moves nothing. With SCA
    on, a customer paying an account that is not theirs, without the right X-Transaction-PIN
    or an exemption for every payee, gets 401 `sca-required` with a challenge covering every
    leg; complete it (`POST /api/v1/auth/challenges/{id}`) and retry the identical set with
    its code in X-SCA-Authorization.
    """
    outcome = await multileg.post_transaction(
        ctx,
        actor=principal,
        legs=[
            multileg.LegRequest(leg.from_account_id, leg.to_account_id, leg.amount)
            for leg in body.legs
        ],
        description=body.description,
        metadata=body.metadata,
        pin=service.PinCheck(pin),
        sca_authorization=sca_authorization,
        idempotency_request=idempotency_request(
            request, principal, idempotency_key, body, pin_present=pin is not None
        ),
    )
    return respond(outcome)


@router.post(
    "/accounts/{account_id}/holds",
    summary="Place a hold",
    status_code=status.HTTP_201_CREATED,
    response_model=HoldOut,
    responses=MONEY_ERRORS,
)
async def create_hold(
    account_id: AccountId,
    body: HoldIn,
    request: Request,
    principal: StaffPrincipal,
    ctx: LedgerDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Reserve funds (staff): the amount leaves the available balance until the hold is
    captured, voided or expires (default 7 days)."""
    outcome = await holds.create_hold(
        ctx,
        actor=principal,
        account_id=account_id,
        amount=body.amount,
        description=body.description,
        expires_in_seconds=body.expires_in_seconds,
        idempotency_request=idempotency_request(request, principal, idempotency_key, body),
    )
    return respond(outcome)


@router.post(
    "/holds/{hold_id}/capture",
    summary="Capture a hold",
    status_code=status.HTTP_201_CREATED,
    response_model=HoldCaptureOut,
    responses=HOLD_ERRORS,
)
async def capture_hold(
    hold_id: HoldId,
    body: CaptureIn,
    request: Request,
    principal: StaffPrincipal,
    ctx: LedgerDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Capture all or part of an open hold (once): the amount is debited, the rest released."""
    outcome = await holds.capture_hold(
        ctx,
        actor=principal,
        hold_id=hold_id,
        amount=body.amount,
        idempotency_request=idempotency_request(request, principal, idempotency_key, body),
    )
    return respond(outcome)


@router.post(
    "/holds/{hold_id}/void",
    summary="Void a hold",
    response_model=HoldOut,
    responses=HOLD_ERRORS,
)
async def void_hold(
    hold_id: HoldId,
    request: Request,
    principal: StaffPrincipal,
    ctx: LedgerDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Void an open hold (once): its whole amount becomes available again."""
    outcome = await holds.void_hold(
        ctx,
        actor=principal,
        hold_id=hold_id,
        idempotency_request=idempotency_request(request, principal, idempotency_key, None),
    )
    return respond(outcome)


@router.post(
    "/transactions/{transaction_id}/reverse",
    summary="Reverse a transaction",
    status_code=status.HTTP_201_CREATED,
    response_model=PostedTransactionOut,
    responses={
        **MONEY_ERRORS,
        404: {"description": "No such transaction"},
        409: {"description": "Already reversed, a reversal itself, or an account is closed"},
    },
)
async def reverse(
    transaction_id: TransactionId,
    body: ReverseIn,
    request: Request,
    principal: AdminPrincipal,
    ctx: LedgerDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    """Post the opposite entry, linked to the original (admins, at most once).

    A reversal corrects a mistake: it is posted even if it takes an account below its
    overdraft limit.
    """
    outcome = await reversal.reverse(
        ctx,
        actor=principal,
        entry_id=transaction_id,
        reason=body.reason,
        idempotency_request=idempotency_request(request, principal, idempotency_key, body),
    )
    return respond(outcome)
