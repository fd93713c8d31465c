"""A second factor: the caller's TOTP enrolment and status, and a reset by staff."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from corebank.core.api import API_PREFIX, MAX_ID
from corebank.identity import mfa
from corebank.identity.deps import AuthDep, EnrollingPrincipal, StaffPrincipal
from corebank.identity.schemas import (
    MfaStatusOut,
    RecoveryCodesOut,
    TotpConfirmRequest,
    TotpDisableRequest,
    TotpEnrolmentOut,
)
from corebank.identity.service import ENROL_MFA

router = APIRouter(prefix=f"{API_PREFIX}/users", tags=["users"])

UNAUTHORIZED = {401: {"description": "Not authenticated"}}
VALIDATION = {422: {"description": "Validation failed, or the code is wrong"}}
LOCKED = {403: {"description": "Too many wrong codes (Retry-After)"}}


@router.get("/me/mfa", summary="My second factor", response_model=MfaStatusOut)
async def mfa_status(principal: EnrollingPrincipal, auth: AuthDep) -> MfaStatusOut:
    """Whether a second factor is on, how many recovery codes are left, and whether this
    session may do nothing but enrol one."""
    enabled, left = await mfa.status(auth, user_id=principal.user.id)
    return MfaStatusOut(
        enabled=enabled,
        recovery_codes_left=left,
        required=principal.required_action == ENROL_MFA,
    )


@router.post(
    "/me/mfa/totp",
    summary="Start TOTP enrolment",
    status_code=status.HTTP_201_CREATED,
    response_model=TotpEnrolmentOut,
    responses={**UNAUTHORIZED, 409: {"description": "A second factor is already enabled"}},
)
async def start_totp(principal: EnrollingPrincipal, auth: AuthDep) -> TotpEnrolmentOut:
    """A new TOTP secret, its otpauth:// URI and QR code (shown once). Nothing changes at
    login until it is confirmed with a code."""
    enrolment = await mfa.start_enrolment(auth, principal=principal)
    return TotpEnrolmentOut(
        secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri, qr_svg=enrolment.qr_svg
    )


@router.post(
    "/me/mfa/totp/confirm",
    summary="Confirm TOTP enrolment",
    response_model=RecoveryCodesOut,
    responses={
        **UNAUTHORIZED,
        **LOCKED,
        409: {"description": "No enrolment started"},
        **VALIDATION,
    },
)
async def confirm_totp(
    body: TotpConfirmRequest, principal: EnrollingPrincipal, auth: AuthDep
) -> RecoveryCodesOut:
    """Turn the second factor on with a current code and the account password (a wrong one
    counts toward the login lockout); answers 10 recovery codes, shown once. From now on login
    asks for a code after the password."""
    codes = await mfa.confirm_enrolment(
        auth, principal=principal, code=body.code, password=body.password
    )
    return RecoveryCodesOut(recovery_codes=codes)


@router.post(
    "/me/mfa/totp/disable",
    summary="Disable TOTP",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**UNAUTHORIZED, **LOCKED, 409: {"description": "No second factor"}, **VALIDATION},
)
async def disable_totp(
    body: TotpDisableRequest, principal: EnrollingPrincipal, auth: AuthDep
) -> Response:
    """Turn the second factor off: the password and a current code (or a recovery code)."""
    await mfa.disable(auth, principal=principal, password=body.password, code=body.code)
    return Response(status_code=204)


@router.post(
    "/{user_id}/mfa/reset",
    summary="Reset a user's second factor",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={
        **UNAUTHORIZED,
        403: {"description": "Staff reset customers' only; admins anyone's but their own"},
        404: {"description": "No such user"},
        **VALIDATION,
    },
)
async def reset_mfa(
    user_id: Annotated[int, Path(ge=1, le=MAX_ID)], principal: StaffPrincipal, auth: AuthDep
) -> Response:
    """Remove the user's second factor and recovery codes (a lost phone): their sessions end
    and they log in with the password alone, then enrol again. Audited."""
    await mfa.reset(auth, actor=principal, user_id=user_id)
    return Response(status_code=204)
