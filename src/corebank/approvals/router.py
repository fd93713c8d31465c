"""Approval requests: list and read them; a second person approves or rejects them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from corebank.approvals import service
from corebank.approvals.context import ApprovalsContext
from corebank.approvals.schemas import ApprovalOut, ApproveIn, RejectIn
from corebank.core.api import API_PREFIX, MAX_ID
from corebank.core.deps import CursorCodecDep, PageDep
from corebank.core.pagination import Page
from corebank.identity.deps import CurrentPrincipal, StaffPrincipal
from corebank.models.approval import ApprovalOperation, ApprovalStatus

router = APIRouter(prefix=f"{API_PREFIX}/approvals", tags=["approvals"])


async def approvals_context(request: Request) -> ApprovalsContext:
    return request.app.state.container.approvals


ApprovalsDep = Annotated[ApprovalsContext, Depends(approvals_context)]
ApprovalId = Annotated[int, Path(ge=1, le=MAX_ID, description="Approval request id")]

READ_ERRORS = {
    401: {"description": "Not authenticated"},
    404: {"description": "`approval-not-found`: no such request, or (customers) not yours"},
    422: {"description": "Validation failed"},
}
DECISION_ERRORS = {
    401: {"description": "Not authenticated"},
    403: {
        "description": "Staff only; or `four-eyes-violation`: the checker is the maker, or "
        "another login of the same person (the same e-mail without its +tag)"
    },
    404: {"description": "`approval-not-found`"},
    409: {
        "description": "`approval-not-pending` (decided already: of a parallel approve and "
        "reject one wins), `approval-expired`, or the operation cannot be done any more "
        "(e.g. `account-frozen`, `account-closed`): the request stays pending"
    },
    422: {"description": "Validation failed (a rejection needs a reason)"},
}


@router.get(
    "",
    summary="Approval requests",
    response_model=Page[ApprovalOut],
    responses=READ_ERRORS,
)
async def list_approvals(
    principal: CurrentPrincipal,
    ctx: ApprovalsDep,
    page: PageDep,
    codec: CursorCodecDep,
    status: ApprovalStatus | None = None,
    operation: ApprovalOperation | None = None,
    requested_by: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> Page[ApprovalOut]:
    """Newest first. Staff see every request (filter `status=pending` for the work queue);
    a customer sees their own."""
    items, cursor = await service.list_approvals(
        ctx,
        actor=principal,
        params=page,
        codec=codec,
        status=status,
        operation=operation,
        requested_by=requested_by,
    )
    return Page[ApprovalOut](items=items, next_cursor=cursor)


@router.get(
    "/{approval_id}",
    summary="An approval request",
    response_model=ApprovalOut,
    responses=READ_ERRORS,
)
async def get_approval(
    approval_id: ApprovalId, principal: CurrentPrincipal, ctx: ApprovalsDep
) -> ApprovalOut:
    """Staff read any request; its maker reads their own."""
    return await service.get_approval(ctx, actor=principal, approval_id=approval_id)


@router.post(
    "/{approval_id}/approve",
    summary="Approve a request",
    response_model=ApprovalOut,
    responses=DECISION_ERRORS,
)
async def approve(
    approval_id: ApprovalId,
    principal: StaffPrincipal,
    ctx: ApprovalsDep,
    body: ApproveIn | None = None,
) -> ApprovalOut:
    """Carry the operation out, once (a money movement captures its holds and posts), by
    staff other than the maker. `result` says what was done (e.g. the transaction id)."""
    return await service.approve(
        ctx, checker=principal, approval_id=approval_id, reason=body.reason if body else None
    )


@router.post(
    "/{approval_id}/reject",
    summary="Reject a request",
    response_model=ApprovalOut,
    responses=DECISION_ERRORS,
)
async def reject(
    approval_id: ApprovalId, body: RejectIn, principal: StaffPrincipal, ctx: ApprovalsDep
) -> ApprovalOut:
    """Refuse the request with a reason, once: nothing is done and its holds are voided."""
    return await service.reject(ctx, checker=principal, approval_id=approval_id, reason=body.reason)
