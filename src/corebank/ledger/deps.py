"""HTTP glue of the ledger endpoints: the ledger's context, Idempotency-Key, X-Transaction-PIN,
replayed responses."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from pydantic import BaseModel
from starlette.responses import Response

from corebank.core.errors import PROBLEM_CONTENT_TYPE
from corebank.core.jsonio import dumps
from corebank.core.middleware import route_template
from corebank.identity.pin import PIN_HEADER
from corebank.identity.principal import Principal
from corebank.ledger import idempotency
from corebank.ledger.context import LedgerContext
from corebank.ledger.errors import IdempotencyKeyRequired
from corebank.ledger.idempotency import MAX_KEY_LENGTH, IdempotencyRequest, Outcome
from corebank.sca.service import HEADER as SCA_HEADER

REPLAYED_HEADER = "Idempotency-Replayed"


async def ledger_context(request: Request) -> LedgerContext:
    return request.app.state.container.ledger


LedgerDep = Annotated[LedgerContext, Depends(ledger_context)]

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        description="Required for customers: a retry with the same key and body replays the "
        "first outcome (24 h) and moves nothing",
    ),
]
PinHeader = Annotated[
    str | None,
    Header(alias=PIN_HEADER, max_length=16, description="A customer's transaction PIN"),
]
ScaAuthorizationHeader = Annotated[
    str | None,
    Header(
        alias=SCA_HEADER,
        max_length=128,
        description="The authorization code of a completed strong-authentication challenge",
    ),
]

MONEY_ERRORS = {
    202: {
        "description": "Above the approval threshold (APPROVAL_THRESHOLD): nothing posted yet; "
        "the money is held and the body is the pending approval request "
        "`{id, status: pending, operation, requested_by, expires_at, hold_ids...}` "
        "(docs/approvals.md). A retry with the same Idempotency-Key replays this 202",
    },
    400: {"description": "Idempotency-Key missing (customers) or malformed JSON"},
    401: {"description": "Not authenticated, or `sca-required` with the challenge to complete"},
    403: {
        "description": "Role not allowed, transaction PIN missing/wrong/blocked, or the "
        "authorization code does not cover this request"
    },
    404: {"description": "No such account, or not yours"},
    409: {"description": "Account frozen or closed, or a request with this key is in progress"},
    422: {
        "description": "Invalid amount, insufficient funds, the key reused for another body, "
        "or (customers) the account cannot receive this transfer"
    },
}


def idempotency_request(
    request: Request,
    principal: Principal,
    key: str | None,
    body: BaseModel | None,
    *,
    pin_present: bool = False,
) -> IdempotencyRequest | None:
    """The request's claim on its key; customers must send one (400 otherwise)."""
    if key is None:
        if principal.is_staff:
            return None
        raise IdempotencyKeyRequired(
            "Send an Idempotency-Key header (up to 255 characters) with money-moving requests."
        )
    route = f"{request.method} {route_template(request.scope)}"
    return IdempotencyRequest(
        user_id=principal.user.id,
        route=route,
        key=key,
        fingerprint=idempotency.fingerprint(
            method=request.method,
            route=route,
            path_params=request.path_params,
            body=body.model_dump(mode="json") if body is not None else {},
            pin_present=pin_present,
        ),
        instance=request.url.path,
    )


def respond(outcome: Outcome) -> Response:
    """The outcome as a response; a replay carries `Idempotency-Replayed: true`."""
    headers = {REPLAYED_HEADER: "true"} if outcome.replayed else {}
    media_type = PROBLEM_CONTENT_TYPE if outcome.status >= 400 else "application/json"
    return Response(
        content=dumps(outcome.body),
        status_code=outcome.status,
        headers=headers,
        media_type=media_type,
    )
