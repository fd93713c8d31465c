"""Who is calling: the bearer token checked against a live session and an active user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer, OAuth2PasswordBearer

from corebank.core.errors import Forbidden, Unauthorized
from corebank.identity import service, sessions
from corebank.identity.context import AuthContext
from corebank.identity.principal import Principal
from corebank.identity.tokens import TokenService
from corebank.models.user import Role

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/login", auto_error=False, description="Access token from login"
)
bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="AccessToken",
    description="Paste an access token (users with a second factor: from /auth/login/mfa)",
)


async def get_tokens(request: Request) -> TokenService:
    return request.app.state.container.tokens


async def get_auth(request: Request) -> AuthContext:
    return request.app.state.container.auth


AuthDep = Annotated[AuthContext, Depends(get_auth)]
TokensDep = Annotated[TokenService, Depends(get_tokens)]


Token = Annotated[str | None, Depends(oauth2_scheme)]
#: The same header again, read only so that Swagger offers a box to paste a token in.
PastedToken = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


async def _authenticate(request: Request, token: str | None) -> Principal:
    """401 unless the access token is valid, its session live and its user active.

    Every authenticated request runs this, so it takes the identity context from the container
    itself rather than as a dependency of its own: FastAPI's resolution of each sub-dependency
    cost more CPU than the session check's database read.
    """
    if not token:
        raise Unauthorized("Send an access token: Authorization: Bearer <token>.")
    principal = await sessions.authenticate(request.app.state.container.auth, token=token)
    request.state.user_id = principal.user.id
    return principal


async def current_principal(request: Request, token: Token, _: PastedToken) -> Principal:
    """The caller, refused (403) while their session is limited to a required action."""
    principal = await _authenticate(request, token)
    if principal.required_action == service.ENROL_MFA:
        raise Forbidden(
            "Enrol a second factor first: POST /api/v1/users/me/mfa/totp, then confirm it.",
            type="mfa-enrolment-required",
        )
    return principal


async def enrolling_principal(request: Request, token: Token, _: PastedToken) -> Principal:
    """The caller even while their session may only enrol a second factor."""
    return await _authenticate(request, token)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
#: For the enrolment routes (and logout, the profile): a limited session is let through.
EnrollingPrincipal = Annotated[Principal, Depends(enrolling_principal)]


def require_role(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets through only callers holding one of `roles` (else 403)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden("Your role does not allow this.", type="insufficient-role")
        return principal

    return dependency


StaffPrincipal = Annotated[Principal, Depends(require_role(Role.staff, Role.admin))]
AdminPrincipal = Annotated[Principal, Depends(require_role(Role.admin))]
