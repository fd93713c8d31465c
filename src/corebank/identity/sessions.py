"""Sessions and their tokens: open one, issue and rotate its token pair (refresh, with theft
detection), check a bearer token on every request, list, revoke and log out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.config import Settings
from corebank.core import audit, metrics
from corebank.core.clock import Clock
from corebank.core.context import client_ip_var, user_agent_var
from corebank.core.db import Database
from corebank.core.errors import Unauthorized
from corebank.core.metrics import ScrapeHook
from corebank.identity import repository
from corebank.identity.context import AuthContext
from corebank.identity.errors import InvalidToken, SessionRevoked
from corebank.identity.principal import Caller, Principal
from corebank.identity.tokens import TokenService, TokenType, token_digest
from corebank.models.user import AuthSession, User

log = structlog.get_logger(__name__)

#: A session's last_seen_at is written at most this often (not on every request).
LAST_SEEN_GRANULARITY = timedelta(minutes=1)

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


def issue_tokens(
    ctx: AuthContext, session: AsyncSession, user: User, auth_session: AuthSession, now: datetime
) -> IssuedTokens:
    """A new token pair for the session; its refresh token is stored (as a digest)."""
    pair, digest = issue_pair(ctx.tokens, ctx.settings, user=user, session=auth_session, now=now)
    repository.add_refresh_token(session, session_id=auth_session.id, digest=digest, now=now)
    return pair


async def refresh(ctx: AuthContext, *, refresh_token: str) -> IssuedTokens:
    """Rotate: the presented refresh token dies and a new pair is issued.

    A token already rotated more than a few seconds ago is treated as stolen: its whole
    session (the token family) is revoked and the event audited. The refusal is raised after
    that revocation has committed.
    """
    now = ctx.clock.now()
    claims = ctx.tokens.verify(refresh_token, expected=TokenType.refresh, now=now)
    async with ctx.db.transaction() as session:
        result = await rotate(session, digest=token_digest(refresh_token), now=now)
        if result.reused:
            await _revoke_stolen_family(session, result.session, user_id=claims.user_id, now=now)
            pair = None
        else:
            user = await repository.by_id(session, claims.user_id)
            pair = await _reissue(ctx, session, result, user, now)
    if pair is None:
        if result.reused:
            log.warning("auth.refresh_reuse_detected", user_id=claims.user_id)
            metrics.REFRESH_REUSE.inc()
        metrics.REFRESHES.labels("refused").inc()
        raise Unauthorized("The refresh token is invalid or has been used.", type="invalid-token")
    metrics.REFRESHES.labels("rotated").inc()
    return pair


async def _revoke_stolen_family(
    session: AsyncSession, auth_session: AuthSession | None, *, user_id: int, now: datetime
) -> None:
    if auth_session is None:
        return
    await repository.revoke_sessions(session, [auth_session.id], reason="reuse", now=now)
    audit.record(
        session,
        "user.refresh_reuse_detected",
        actor_id=user_id,
        target_type="session",
        target_id=auth_session.id,
    )


def _may_rotate(result: RotationResult, user: User | None, now: datetime) -> bool:
    """Whether the spent token's session and user may still have tokens."""
    auth_session = result.session
    return (
        result.spent
        and auth_session is not None
        and user is not None
        and user.can_log_in
        and auth_session.user_id == user.id
        and auth_session.revoked_at is None
        and auth_session.expires_at > now
    )


async def _reissue(
    ctx: AuthContext,
    session: AsyncSession,
    result: RotationResult,
    user: User | None,
    now: datetime,
) -> IssuedTokens | None:
    """A new pair for the session whose refresh token was just spent, or None if refused."""
    auth_session = result.session
    if not _may_rotate(result, user, now) or auth_session is None or user is None:
        return None
    auth_session.last_seen_at = now
    pair = issue_tokens(ctx, session, user, auth_session, now)
    audit.record(
        session,
        "user.token_refreshed",
        actor_id=user.id,
        target_type="session",
        target_id=auth_session.id,
    )
    return pair


async def logout(ctx: AuthContext, *, user_id: int, session_id: int) -> None:
    """End the caller's session: its access and refresh tokens stop working at once."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        await repository.revoke_sessions(session, [session_id], reason="logout", now=now)
        audit.record(
            session, "user.logout", actor_id=user_id, target_type="session", target_id=session_id
        )


async def logout_all(ctx: AuthContext, *, user_id: int) -> int:
    """End every session of the caller, this one included."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        revoked = await repository.revoke_user_sessions(
            session, user_id=user_id, reason="logout_all", now=now
        )
        audit.record(
            session,
            "user.logout",
            actor_id=user_id,
            target_type="user",
            target_id=user_id,
            after={"sessions": revoked},
        )
    return len(revoked)


async def authenticate(ctx: AuthContext, *, token: str) -> Principal:
    """The caller of a bearer token: 401 unless it is a valid access token whose session is
    live and whose user is active. Records the session's use at most once a minute."""
    now = ctx.clock.now()
    claims = ctx.tokens.verify(token, expected=TokenType.access, now=now)
    check = await repository.session_check(
        ctx.db, user_id=claims.user_id, session_id=claims.session_id
    )
    if check is None or not check.is_active or check.deleted_at is not None:
        raise InvalidToken()
    if check.revoked_at is not None or check.expires_at <= now:
        raise SessionRevoked()
    if now - check.last_seen_at >= LAST_SEEN_GRANULARITY:
        await repository.touch_session(ctx.db, session_id=claims.session_id, now=now)
    return Principal(
        user=Caller(id=claims.user_id, role=check.role),
        session_id=claims.session_id,
        required_action=check.required_action,
    )


async def is_staff_token(ctx: AuthContext, token: str) -> bool:
    """Whether `token` is a valid access token of a live staff or admin session."""
    try:
        principal = await authenticate(ctx, token=token)
    except Unauthorized:
        return False
    return principal.is_staff and principal.required_action is None


async def live_sessions(ctx: AuthContext, *, user_id: int) -> list[AuthSession]:
    """The user's live sessions, oldest first."""
    async with ctx.db.read() as session:
        return await repository.live_sessions(session, user_id=user_id, now=ctx.clock.now())


async def revoke_own_session(ctx: AuthContext, *, user_id: int, session_id: int) -> bool:
    """Revoke one of the user's own live sessions; False if there is no such session."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        live = await repository.live_sessions(session, user_id=user_id, now=now)
        if session_id not in {s.id for s in live}:
            return False
        await repository.revoke_sessions(session, [session_id], reason="revoked_by_user", now=now)
        audit.record(
            session,
            "user.session_revoked",
            actor_id=user_id,
            target_type="session",
            target_id=session_id,
        )
    return True
