"""Strong authentication: completing a challenge, and the caller's trusted payees."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Response, status

from corebank.core.api import API_PREFIX, MAX_ID
from corebank.identity.deps import CurrentPrincipal
from corebank.sca import payees, service
from corebank.sca.context import ScaContext
from corebank.sca.schemas import (
    AuthorizationOut,
    ChallengeCompletion,
    ChallengeOut,
    TrustedPayeeCreate,
    TrustedPayeeOut,
)

router = APIRouter(prefix=API_PREFIX, tags=["strong authentication"])

ChallengeId = Annotated[int, Path(ge=1, le=MAX_ID)]
Authorization = Annotated[
    str | None, Header(alias=service.HEADER, max_length=128, include_in_schema=True)
]
UNAUTHORIZED = {401: {"description": "Not authenticated"}}
NOT_YOURS = {404: {"description": "No such challenge of yours"}}
VALIDATION = {422: {"description": "Validation failed"}}


async def sca_context(request: Request) -> ScaContext:
    return request.app.state.container.sca


ScaDep = Annotated[ScaContext, Depends(sca_context)]


@router.get(
    "/auth/challenges/{challenge_id}",
    summary="Read a challenge",
    response_model=ChallengeOut,
    responses={**UNAUTHORIZED, **NOT_YOURS, **VALIDATION},
)
async def read_challenge(
    challenge_id: ChallengeId, principal: CurrentPrincipal, ctx: ScaDep
) -> ChallengeOut:
    """What a challenge covers (amount, currency, source, payee), its status and expiry."""
    view = await service.get_challenge(ctx, principal=principal, challenge_id=challenge_id)
    return ChallengeOut.model_validate(view)


@router.post(
    "/auth/challenges/{challenge_id}",
    summary="Complete a challenge",
    response_model=AuthorizationOut,
    responses={
        **UNAUTHORIZED,
        403: {"description": "Wrong PIN, or PIN or codes blocked (Retry-After)"},
        **NOT_YOURS,
        409: {"description": "Completed already, expired, or no factor to complete it with"},
        422: {"description": "Send exactly one of code and pin"},
    },
)
async def complete_challenge(
    challenge_id: ChallengeId,
    body: ChallengeCompletion,
    principal: CurrentPrincipal,
    ctx: ScaDep,
) -> AuthorizationOut:
    """Prove the factor (a TOTP code, a recovery code, or the transaction PIN) for a pending
    challenge of yours; answers the one-time authorization code for its exact terms. Wrong
    codes and PINs count toward their own lockouts."""
    authorization = await service.complete(
        ctx, principal=principal, challenge_id=challenge_id, code=body.code, pin=body.pin
    )
    return AuthorizationOut(
        authorization_code=authorization.code, expires_at=authorization.expires_at
    )


@router.get(
    "/users/me/trusted-payees",
    summary="My trusted payees",
    response_model=list[TrustedPayeeOut],
    responses=UNAUTHORIZED,
)
async def list_trusted_payees(principal: CurrentPrincipal, ctx: ScaDep) -> list[TrustedPayeeOut]:
    """Accounts your transfers go to without a challenge."""
    found = await payees.trusted_payees(ctx, principal=principal)
    return [TrustedPayeeOut.model_validate(payee) for payee in found]


@router.post(
    "/users/me/trusted-payees",
    summary="Trust a payee",
    status_code=status.HTTP_201_CREATED,
    response_model=TrustedPayeeOut,
    responses={
        401: {"description": "Not authenticated, or `sca-required` with the challenge"},
        403: {"description": "The authorization code does not cover this payee"},
        409: {"description": "Already trusted"},
        422: {"description": "That account cannot receive transfers"},
    },
)
async def trust_payee(
    body: TrustedPayeeCreate,
    principal: CurrentPrincipal,
    ctx: ScaDep,
    authorization: Authorization = None,
) -> TrustedPayeeOut:
    """Trust another customer's account. Needs a fresh factor: the first call answers 401
    `sca-required` with a challenge; complete it and repeat with the authorization code."""
    payee = await payees.trust_payee(
        ctx, principal=principal, account_id=body.account_id, authorization=authorization
    )
    return TrustedPayeeOut.model_validate(payee)


@router.delete(
    "/users/me/trusted-payees/{payee_id}",
    summary="Stop trusting a payee",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **UNAUTHORIZED,
        404: {"description": "No such trusted payee of yours"},
        **VALIDATION,
    },
)
async def distrust_payee(
    payee_id: Annotated[int, Path(ge=1, le=MAX_ID)], principal: CurrentPrincipal, ctx: ScaDep
) -> Response:
    """Transfers to that account need a challenge again."""
    await payees.distrust_payee(ctx, principal=principal, payee_id=payee_id)
    return Response(status_code=204)
