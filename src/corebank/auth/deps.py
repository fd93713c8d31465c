"""Who is calling: the bearer token checked against a live session and an active user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import bindparam, select, update

from corebank.auth.tokens import TokenService, TokenType
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.deps import DatabaseDep
from corebank.core.errors import Forbidden, Unauthorized
from corebank.models.user import AuthSession, Role, User

LAST_SEEN_GRANULARITY = timedelta(minutes=1)

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="/api/v1/auth/login", auto_error=False, description="Access token from login"
)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: the user (as loaded for this request) and their session."""

    user: User
    session_id: int

    @property
    def role(self) -> Role:
        return Role(self.user.role)

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.staff, Role.admin)


async def get_tokens(request: Request) -> TokenService:
    return request.app.state.tokens


async def get_clock(request: Request) -> Clock:
    return request.app.state.clock


ClockDep = Annotated[Clock, Depends(get_clock)]
TokensDep = Annotated[TokenService, Depends(get_tokens)]


async def current_principal(
    request: Request,
    db: DatabaseDep,
    tokens: TokensDep,
    clock: ClockDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    """401 unless the access token is valid, its session live and its user active."""
    if not token:
        raise Unauthorized("Send an access token: Authorization: Bearer <token>.")
    now = clock.now()
    claims = tokens.verify(token, expected=TokenType.access, now=now)
    user, session = await _load(db, claims.user_id, claims.session_id)
    if user is None or session is None or not user.can_log_in:
        raise Unauthorized("The token is invalid or has expired.", type="invalid-token")
    if session.revoked_at is not None or session.expires_at <= now:
        raise Unauthorized("This session has ended; log in again.", type="session-revoked")
    if now - session.last_seen_at >= LAST_SEEN_GRANULARITY:
        await _touch(db, session.id, now)
    request.state.user_id = user.id
    return Principal(user=user, session_id=session.id)


# Built once: every authenticated request runs it (see accounts.repository for why).
_USER_AND_SESSION = (
    select(User, AuthSession)
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), AuthSession.id == bindparam("session_id"))
)


async def _load(
    db: Database, user_id: int, session_id: int
) -> tuple[User | None, AuthSession | None]:
    async with db.read() as session:
        params = {"user_id": user_id, "session_id": session_id}
        row = (await session.execute(_USER_AND_SESSION, params)).first()
    return (row[0], row[1]) if row else (None, None)


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
