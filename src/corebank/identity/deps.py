"""Who is calling: the bearer token checked against a live session and an active user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import bindparam, select, update

from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.errors import Forbidden, Unauthorized
from corebank.core.sql import Prepared
from corebank.identity.tokens import TokenService, TokenType
from corebank.models.user import AuthSession, Role, User

LAST_SEEN_GRANULARITY = timedelta(minutes=1)

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/login", auto_error=False, description="Access token from login"
)


@dataclass(frozen=True)
class Caller:
    """Who the authenticated caller is: all a request needs of the user row."""

    id: int
    role: str


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the user (as checked for this request) and their session."""

    user: Caller
    session_id: int

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.staff, Role.admin)


async def get_tokens(request: Request) -> TokenService:
    return request.app.state.container.tokens


async def get_clock(request: Request) -> Clock:
    return request.app.state.container.clock


ClockDep = Annotated[Clock, Depends(get_clock)]
TokensDep = Annotated[TokenService, Depends(get_tokens)]


async def current_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    """401 unless the access token is valid, its session live and its user active.

    Every authenticated request resolves this, so it takes the database, token service and
    clock from the app's state rather than as dependencies of its own: FastAPI's resolution of
    each sub-dependency cost more CPU than the session check's database read.
    """
    if not token:
        raise Unauthorized("Send an access token: Authorization: Bearer <token>.")
    container = request.app.state.container
    db: Database = container.db
    tokens: TokenService = container.tokens
    now = container.clock.now()
    claims = tokens.verify(token, expected=TokenType.access, now=now)
    found = await db.fetch_row(
        _USER_AND_SESSION, {"user_id": claims.user_id, "session_id": claims.session_id}
    )
    if found is None:
        raise Unauthorized("The token is invalid or has expired.", type="invalid-token")
    check = _SessionCheck(*found)
    if not check.is_active or check.deleted_at is not None:
        raise Unauthorized("The token is invalid or has expired.", type="invalid-token")
    if check.revoked_at is not None or check.expires_at <= now:
        raise Unauthorized("This session has ended; log in again.", type="session-revoked")
    if now - check.last_seen_at >= LAST_SEEN_GRANULARITY:
        await _touch(db, claims.session_id, now)
    request.state.user_id = claims.user_id
    return Principal(user=Caller(id=claims.user_id, role=check.role), session_id=claims.session_id)


@dataclass(frozen=True)
class _SessionCheck:
    role: str
    is_active: bool
    deleted_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime
    last_seen_at: datetime


# Built once: every authenticated request runs it, on the driver (see Database.fetch_row).
_USER_AND_SESSION = Prepared(
    select(
        User.role,
        User.is_active,
        User.deleted_at,
        AuthSession.revoked_at,
        AuthSession.expires_at,
        AuthSession.last_seen_at,
    )
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), AuthSession.id == bindparam("session_id"))
)


async def _touch(db: Database, session_id: int, now: object) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now)
        )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets through only callers holding one of `roles` (else 403)."""

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise Forbidden("Your role does not allow this.", type="insufficient-role")
        return principal

    return dependency


StaffPrincipal = Annotated[Principal, Depends(require_role(Role.staff, Role.admin))]
AdminPrincipal = Annotated[Principal, Depends(require_role(Role.admin))]
