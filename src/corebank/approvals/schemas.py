"""Approval requests as the API shows them, and the decision bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.responses import JSONResponse

from corebank.models.approval import ApprovalOperation, ApprovalStatus


class ApprovalOut(BaseModel):
    id: int
    status: ApprovalStatus
    operation: ApprovalOperation
    requested_by: int = Field(description="The maker: the user whose request waits.")
    subject_type: str = Field(
        description='What the operation acts on: "account", "customer" or "loan".'
    )
    subject_id: int
    amount: str | None = Field(description="The money the operation moves, if it moves money.")
    currency: str | None
    request: dict[str, Any] = Field(description="What the maker asked for, as it will be done.")
    hold_ids: list[int] = Field(description="The holds reserving the money while it waits.")
    created_at: datetime
    expires_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    reason: str | None = Field(description="The checker's reason (a rejection always has one).")
    result: dict[str, Any] | None = Field(
        description='What the approval did, e.g. `{"transaction_id": 42}`.'
    )


#: OpenAPI's entry for a route that may answer 202 with a pending request.
PENDING_APPROVAL: dict[str, Any] = {
    "description": "The operation waits for a second person: the body is the pending approval "
    "request (docs/approvals.md)",
    "model": ApprovalOut,
}


def accepted(pending: ApprovalOut) -> JSONResponse:
    """The 202 answer of an operation that waits for approval."""
    return JSONResponse(pending.model_dump(mode="json"), status_code=202)


#: A decision's reason: blanks around it are dropped, and something must be left.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason | None = None


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason
