"""Identity endpoints: register, login, refresh, logout, sessions, passwords."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response, status
from pydantic import ValidationError

from corebank.core.api import API_PREFIX
from corebank.core.errors import BadRequest, NotFound, ValidationFailed, field_error
from corebank.core.ratelimit import client_ip, enforce, limit_per_ip
from corebank.identity import mfa, recovery, service, sessions
from corebank.identity.deps import AuthDep, CurrentPrincipal, EnrollingPrincipal
from corebank.identity.policy import canonical_identifier
from corebank.identity.schemas import (
    Accepted,
    LoginMfaRequest,
    LoginRequest,
    MfaTicketOut,
    PasswordChangeRequest,
    PasswordForgotRequest,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    SessionOut,
    TokenPair,
    UserOut,
)
from corebank.identity.service import MfaRequired
from corebank.identity.sessions import IssuedTokens
from corebank.models.user import Role

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])

UNAUTHORIZED = {401: {"description": "Missing, invalid or revoked token"}}
RATE_LIMITED = {429: {"description": "Rate limited (Retry-After says when to retry)"}}
VALIDATION = {422: {"description": "Validation failed"}}


@router.post(
    "/register",
    summary="Register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    dependencies=[Depends(limit_per_ip("rate_limit_register", "register"))],
    responses={
        409: {"description": "E-mail or username already registered"},
        **RATE_LIMITED,
        **VALIDATION,
    },
)
async def register(body: RegisterRequest, auth: AuthDep) -> UserOut:
    """Create a customer user. Weak passwords get 422 listing every rule that failed."""
    user = await service.create_user(
        auth,
        email=body.email,
        password=body.password,
        full_name=body.full_name,
        username=body.username,
        role=Role.customer,
        actor_id=None,
        self_registered=True,
    )
    return UserOut.model_validate(user)


LOGIN_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "required": ["username", "password"],
                "properties": {
                    "username": {"type": "string", "description": "E-mail or username"},
                    "password": {"type": "string", "format": "password"},
                },
            }
        },
        "application/json": {"schema": LoginRequest.model_json_schema()},
    },
}


async def _login_body(request: Request) -> LoginRequest:
    """The credentials from an OAuth2 password form or a JSON body."""
    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("application/json"):
            return LoginRequest.model_validate_json(await request.body())
        form = await request.form()
        return LoginRequest(
            username=str(form.get("username", "")), password=str(form.get("password", ""))
        )
    except ValidationError as exc:
        if any(e["type"] == "json_invalid" for e in exc.errors()):
            raise BadRequest("The request body is not valid JSON.", type="malformed-json") from None
        errors = [
            field_error(["body", *map(str, e["loc"])], e["msg"], e["type"]) for e in exc.errors()
        ]
        raise ValidationFailed("The request did not pass validation.", errors=errors) from None


@router.post(
    "/login",
    summary="Log in",
    response_model=TokenPair | MfaTicketOut,
    openapi_extra={"requestBody": LOGIN_BODY},
    responses={
        401: {"description": "Unknown user or wrong password (one answer for both)"},
        403: {"description": "Locked after repeated failures (Retry-After says how long)"},
        **RATE_LIMITED,
        **VALIDATION,
    },
)
async def login(request: Request, auth: AuthDep) -> TokenPair | MfaTicketOut:
    """Exchange an e-mail or username and password for an access and a refresh token.

    Accepts the OAuth2 password form (so Swagger's Authorize works) or JSON
    `{"username", "password"}`. First-party clients only (RFC 9700 forbids the password
    grant for third parties). A user with a second factor gets an MFA ticket instead of
    tokens: send it with a code to `POST /api/v1/auth/login/mfa`.
    """
    limit = auth.settings.rate_limit_login
    await enforce(request, limit=limit, scope="login-ip", key=client_ip(request))
    body = await _login_body(request)
    await enforce(
        request,
        limit=limit,
        scope="login-identifier",
        key=canonical_identifier(body.username)[:320],
    )
    result = await service.login(auth, identifier=body.username, password=body.password)
    if isinstance(result, MfaRequired):
        return MfaTicketOut(mfa_ticket=result.ticket, expires_in=result.expires_in)
    return _pair(result)


@router.post(
    "/login/mfa",
    summary="Log in: the second factor",
    response_model=TokenPair,
    responses={
        401: {"description": "The ticket or the code is invalid, used or expired"},
        403: {"description": "Too many wrong codes: codes are blocked (Retry-After)"},
        **RATE_LIMITED,
        **VALIDATION,
    },
)
async def login_mfa(request: Request, body: LoginMfaRequest, auth: AuthDep) -> TokenPair:
    """Trade the MFA ticket from the password step and a TOTP code (or one of the recovery
    codes) for the token pair. Wrong codes count toward a lockout of their own."""
    await enforce(
        request, limit=auth.settings.rate_limit_login, scope="login-ip", key=client_ip(request)
    )
    factor = mfa.Factor(code=body.code, recovery_code=body.recovery_code)
    return _pair(await mfa.complete_login(auth, ticket=body.mfa_ticket, factor=factor))


def _pair(pair: IssuedTokens) -> TokenPair:
    return TokenPair(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post(
    "/refresh",
    summary="Rotate tokens",
    response_model=TokenPair,
    responses={401: {"description": "Invalid, expired, revoked or already used"}, **VALIDATION},
)
async def refresh(body: RefreshRequest, auth: AuthDep) -> TokenPair:
    """Trade a refresh token for a new pair; the old refresh token dies.

    Presenting a refresh token that was already used (after a 10-second grace for parallel
    tabs) revokes the whole session.
    """
    return _pair(await sessions.refresh(auth, refresh_token=body.refresh_token))


@router.post("/logout", summary="Log out", status_code=204, responses=UNAUTHORIZED)
async def logout(principal: EnrollingPrincipal, auth: AuthDep) -> Response:
    """End this session: its tokens are refused from now on."""
    await sessions.logout(auth, user_id=principal.user.id, session_id=principal.session_id)
    return Response(status_code=204)


@router.post("/logout-all", summary="Log out everywhere", status_code=204, responses=UNAUTHORIZED)
async def logout_all(principal: EnrollingPrincipal, auth: AuthDep) -> Response:
    """End every session of the caller, including this one."""
    await sessions.logout_all(auth, user_id=principal.user.id)
    return Response(status_code=204)


@router.get(
    "/sessions",
    summary="List my sessions",
    response_model=list[SessionOut],
    responses=UNAUTHORIZED,
)
async def list_sessions(principal: CurrentPrincipal, auth: AuthDep) -> list[SessionOut]:
    """The caller's live sessions, oldest first; `current` marks this one."""
    live = await sessions.live_sessions(auth, user_id=principal.user.id)
    return [
        SessionOut(
            id=s.id,
            created_at=s.created_at,
            last_seen_at=s.last_seen_at,
            expires_at=s.expires_at,
            ip=s.ip,
            user_agent=s.user_agent,
            current=s.id == principal.session_id,
        )
        for s in live
    ]


@router.delete(
    "/sessions/{session_id}",
    summary="Revoke a session",
    status_code=204,
    responses={**UNAUTHORIZED, 404: {"description": "No such live session of yours"}, **VALIDATION},
)
async def revoke_session(session_id: int, principal: CurrentPrincipal, auth: AuthDep) -> Response:
    """End one of the caller's sessions (another device, or this one)."""
    revoked = await sessions.revoke_own_session(
        auth, user_id=principal.user.id, session_id=session_id
    )
    if not revoked:
        raise NotFound("No such session.", type="session-not-found")
    return Response(status_code=204)


@router.post(
    "/password/change",
    summary="Change password",
    status_code=204,
    responses={**UNAUTHORIZED, **VALIDATION},
)
async def change_password(
    body: PasswordChangeRequest, principal: CurrentPrincipal, auth: AuthDep
) -> Response:
    """Replace the password (the current one is required); other sessions end."""
    await recovery.change_password(
        auth,
        user_id=principal.user.id,
        session_id=principal.session_id,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    return Response(status_code=204)


FORGOT_ANSWER = "If an account with that e-mail exists, a reset link is on its way."


@router.post(
    "/password/forgot",
    summary="Forgot password",
    status_code=202,
    response_model=Accepted,
    dependencies=[Depends(limit_per_ip("rate_limit_password_reset", "password-forgot"))],
    responses={**RATE_LIMITED, **VALIDATION},
)
async def forgot_password(body: PasswordForgotRequest, auth: AuthDep) -> Accepted:
    """Mail a reset link. Always 202 with the same answer, whether the account exists or not."""
    await recovery.forgot_password(auth, email=body.email)
    return Accepted(detail=FORGOT_ANSWER)


@router.post(
    "/password/reset",
    summary="Reset password",
    status_code=204,
    dependencies=[Depends(limit_per_ip("rate_limit_password_reset", "password-reset"))],
    responses={
        400: {"description": "Invalid, used or expired code"},
        **RATE_LIMITED,
        **VALIDATION,
    },
)
async def reset_password(body: PasswordResetRequest, auth: AuthDep) -> Response:
    """Set a new password with the mailed code. Every session ends; lockout is cleared."""
    await recovery.reset_password(auth, token=body.token, new_password=body.new_password)
    return Response(status_code=204)
