"""POST /customers/{id}/credit-check (staff)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from corebank.core.api import API_PREFIX, MAX_ID
from corebank.credit import service
from corebank.credit.context import CreditContext
from corebank.credit.schemas import CreditCheckOut
from corebank.identity.deps import StaffPrincipal

router = APIRouter(prefix=f"{API_PREFIX}/customers", tags=["customers"])


async def credit_context(request: Request) -> CreditContext:
    return request.app.state.container.credit


CreditDep = Annotated[CreditContext, Depends(credit_context)]


@router.post(
    "/{customer_id}/credit-check",
    summary="Run a credit check",
    response_model=CreditCheckOut,
    responses={
        401: {"description": "Not authenticated"},
        403: {"description": "Staff only"},
        404: {"description": "No such customer"},
        422: {"description": "Validation failed"},
        503: {"description": "Bureau down or its breaker open; includes the last stored score"},
    },
)
async def credit_check(
    customer_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    principal: StaffPrincipal,
    ctx: CreditDep,
) -> CreditCheckOut:
    """Ask the credit bureau for the customer's score and store it with its time."""
    result = await service.run_credit_check(
        ctx, actor_id=principal.user.id, customer_id=customer_id
    )
    return CreditCheckOut(
        customer_id=result.customer_id,
        score=result.score,
        checked_at=result.checked_at,
        source=result.source,
    )
