"""Sessions and their refresh-token families: open, rotate, revoke, list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.config import Settings
from corebank.core import metrics
from corebank.core.clock import Clock
from corebank.core.context import client_ip_var, user_agent_var
from corebank.core.db import Database
from corebank.core.metrics import ScrapeHook
from corebank.identity.tokens import TokenService, TokenType, token_digest
from corebank.models.user import AuthSession, RefreshToken, User

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
    session: AsyncSession, settings: Settings, *, user: User, now: datetime
) -> tuple[AuthSession, list[int]]:
    """A new session for `user`; returns it and the ids of sessions revoked to stay in limit."""
    # Lock the user so concurrent logins count each other's sessions against the limit.
    await session.execute(select(User.id).where(User.id == user.id).with_for_update())
    user_agent = user_agent_var.get()
    auth_session = AuthSession(
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=settings.refresh_token_days),
        ip=client_ip_var.get(),
        user_agent=user_agent[:256] if user_agent else None,
    )
    session.add(auth_session)
    await session.flush()
    live = await live_sessions(session, user_id=user.id, now=now)
    excess = len(live) - settings.max_sessions_per_user
    evicted = [s.id for s in live[:excess]] if excess > 0 else []
    if evicted:
        await revoke(session, evicted, reason="session_limit", now=now)
    return auth_session, evicted


async def store_refresh(
    session: AsyncSession, *, session_id: int, digest: str, now: datetime
) -> None:
    session.add(RefreshToken(session_id=session_id, token_hash=digest, created_at=now))


async def live_sessions(session: AsyncSession, *, user_id: int, now: datetime) -> list[AuthSession]:
    """The user's unrevoked, unexpired sessions, oldest first."""
    rows = await session.scalars(
        select(AuthSession)
        .where(
            AuthSession.user_id == user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > now,
        )
        .order_by(AuthSession.created_at, AuthSession.id)
    )
    return list(rows.all())


async def rotate(session: AsyncSession, *, digest: str, now: datetime) -> RotationResult:
    """Spend a refresh token exactly once (a conditional UPDATE: concurrent callers race on it)."""
    spent = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == digest, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .returning(RefreshToken.session_id)
    )
    session_id = spent.scalar_one_or_none()
    if session_id is not None:
        auth_session = await session.scalar(
            select(AuthSession).where(AuthSession.id == session_id).with_for_update()
        )
        return RotationResult(session=auth_session, spent=True)
    token = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest))
    if token is None or token.used_at is None:
        return RotationResult(session=None)
    reused = now - token.used_at > REUSE_GRACE
    auth_session = await session.get(AuthSession, token.session_id)
    return RotationResult(session=auth_session, reused=reused)


async def revoke(
    session: AsyncSession, session_ids: list[int], *, reason: str, now: datetime
) -> list[int]:
    """Revoke the given live sessions; returns the ids that were live."""
    if not session_ids:
        return []
    result = await session.execute(
        update(AuthSession)
        .where(AuthSession.id.in_(session_ids), AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .returning(AuthSession.id)
    )
    return list(result.scalars().all())


async def revoke_all(
    session: AsyncSession, *, user_id: int, reason: str, now: datetime, keep: int | None = None
) -> list[int]:
    """Revoke every live session of a user except `keep`."""
    stmt = (
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .returning(AuthSession.id)
    )
    if keep is not None:
        stmt = stmt.where(AuthSession.id != keep)
    return list((await session.execute(stmt)).scalars().all())


def live_sessions_gauge(db: Database, clock: Clock) -> ScrapeHook:
    """At each scrape: how many sessions are live (not revoked, not expired)."""

    async def refresh() -> None:
        async with db.session() as session:
            live = await session.scalar(
                select(func.count())
                .select_from(AuthSession)
                .where(AuthSession.revoked_at.is_(None), AuthSession.expires_at > clock.now())
            )
        metrics.ACTIVE_SESSIONS.set(live or 0)

    return refresh
