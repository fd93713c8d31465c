"""Sessions and their refresh-token families: open, rotate, revoke, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.config import Settings
from corebank.core import metrics
from corebank.core.clock import Clock
from corebank.core.context import client_ip_var, user_agent_var
from corebank.core.db import Database
from corebank.core.metrics import ScrapeHook
from corebank.identity import repository
from corebank.identity.tokens import TokenService, TokenType, token_digest
from corebank.models.user import AuthSession, User

#: A rotated refresh token presented again within this window is refused without revoking
#: the family (two tabs refreshing at once); later it is treated as theft.
REUSE_GRACE = timedelta(seconds=10)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True)
class RotationResult:
    """Outcome of presenting a refresh token: spent now, seen before (reused), or unknown."""

    session: AuthSession | None
    spent: bool = False
    reused: bool = False


def issue_pair(
    tokens: TokenService, settings: Settings, *, user: User, session: AuthSession, now: datetime
) -> tuple[IssuedTokens, str]:
    """A new access token and refresh token for `session`, and the refresh token's digest."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access, _ = tokens.issue(
        user_id=user.id,
        session_id=session.id,
        role=str(user.role),
        token_type=TokenType.access,
        now=now,
        lifetime=lifetime,
    )
    refresh, _ = tokens.issue(
        user_id=user.id,
        session_id=session.id,
        role=str(user.role),
        token_type=TokenType.refresh,
        now=now,
        lifetime=session.expires_at - now,
    )
    pair = IssuedTokens(access, refresh, int(lifetime.total_seconds()))
    return pair, token_digest(refresh)


async def open_session(
    session: AsyncSession,
    settings: Settings,
    *,
    user: User,
    now: datetime,
    required_action: str | None = None,
) -> tuple[AuthSession, list[int]]:
    """A new session for `user`; returns it and the ids of sessions revoked to stay in limit.

    A `required_action` limits the session to that one thing (see deps.EnrollingPrincipal)."""
    await repository.lock_user(session, user.id)
    user_agent = user_agent_var.get()
    auth_session = await repository.add_session(
        session,
        AuthSession(
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_days),
            ip=client_ip_var.get(),
            user_agent=user_agent[:256] if user_agent else None,
            required_action=required_action,
        ),
    )
    live = await repository.live_sessions(session, user_id=user.id, now=now)
    excess = len(live) - settings.max_sessions_per_user
    evicted = [s.id for s in live[:excess]] if excess > 0 else []
    if evicted:
        await repository.revoke_sessions(session, evicted, reason="session_limit", now=now)
    return auth_session, evicted


async def rotate(session: AsyncSession, *, digest: str, now: datetime) -> RotationResult:
    """Spend a refresh token exactly once; tell a reuse (past the grace window) from a miss."""
    session_id = await repository.spend_refresh_token(session, digest=digest, now=now)
    if session_id is not None:
        auth_session = await repository.session_by_id(session, session_id, for_update=True)
        return RotationResult(session=auth_session, spent=True)
    token = await repository.refresh_token_by_digest(session, digest)
    if token is None or token.used_at is None:
        return RotationResult(session=None)
    reused = now - token.used_at > REUSE_GRACE
    auth_session = await repository.session_by_id(session, token.session_id)
    return RotationResult(session=auth_session, reused=reused)


def live_sessions_gauge(db: Database, clock: Clock) -> ScrapeHook:
    """At each scrape: how many sessions are live (not revoked, not expired)."""

    async def refresh() -> None:
        metrics.ACTIVE_SESSIONS.set(await repository.count_live_sessions(db, now=clock.now()))

    return refresh
