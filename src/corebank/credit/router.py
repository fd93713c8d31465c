"""POST /customers/{id}/credit-check (staff)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel

from corebank.core.api import API_PREFIX, MAX_ID
from corebank.core.deps import DatabaseDep
from corebank.credit.service import run_credit_check
from corebank.identity.deps import StaffPrincipal

router = APIRouter(prefix=f"{API_PREFIX}/customers", tags=["customers"])


class CreditCheckOut(BaseModel):
    customer_id: int
    score: int
    checked_at: datetime
    source: str


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
    request: Request,
    principal: StaffPrincipal,
    db: DatabaseDep,
) -> CreditCheckOut:
    """Ask the credit bureau for the customer's score and store it with its time."""
    result = await run_credit_check(
        db,
        request.app.state.container.credit_bureau,
        request.app.state.container.clock,
        actor_id=principal.user.id,
        customer_id=customer_id,
    )
    return CreditCheckOut(
        customer_id=result.customer_id,
        score=result.score,
        checked_at=result.checked_at,
        source=result.source,
    )
