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
from corebank.identity.session_cache import SessionCheck
from corebank.identity.tokens import TokenService, TokenType, token_digest
from corebank.models.user import AuthSession

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

    session_id: int | None
    spent: bool = False
    reused: bool = False


@dataclass(frozen=True)
class TokenSubject:
    """Whom a token pair is for: the user, their role, and the session it belongs to."""

    user_id: int
    role: str
    session_id: int
    #: The session's absolute end, which is also its refresh tokens' expiry.
    expires_at: datetime


@dataclass(frozen=True)
class OpenedSession:
    id: int
    expires_at: datetime
    #: The user's sessions revoked to stay within MAX_SESSIONS_PER_USER.
    evicted: list[int]


def issue_pair(
    tokens: TokenService, settings: Settings, subject: TokenSubject, *, now: datetime
) -> tuple[IssuedTokens, str]:
    """A new access token and refresh token for `subject`, and the refresh token's digest."""
    lifetime = timedelta(minutes=settings.access_token_minutes)
    access, _ = tokens.issue(
        user_id=subject.user_id,
        session_id=subject.session_id,
        role=str(subject.role),
        token_type=TokenType.access,
        now=now,
        lifetime=lifetime,
    )
    refresh, _ = tokens.issue(
        user_id=subject.user_id,
        session_id=subject.session_id,
        role=str(subject.role),
        token_type=TokenType.refresh,
        now=now,
        lifetime=subject.expires_at - now,
    )
    pair = IssuedTokens(access, refresh, int(lifetime.total_seconds()))
    return pair, token_digest(refresh)


async def open_session(
    session: AsyncSession,
    settings: Settings,
    *,
    user_id: int,
    now: datetime,
    required_action: str | None = None,
) -> OpenedSession:
    """A new session for the user, revoking their oldest beyond MAX_SESSIONS_PER_USER.

    The caller holds the user's row lock, so concurrent logins of one user count each other's
    sessions. A `required_action` limits the session to that one thing (see
    deps.EnrollingPrincipal)."""
    user_agent = user_agent_var.get()
    expires_at = now + timedelta(days=settings.refresh_token_days)
    session_id = await repository.insert_session(
        session,
        user_id=user_id,
        now=now,
        expires_at=expires_at,
        ip=client_ip_var.get(),
        user_agent=user_agent[:256] if user_agent else None,
        required_action=required_action,
    )
    live = await repository.live_session_ids(session, user_id=user_id, now=now)
    excess = len(live) - settings.max_sessions_per_user
    evicted = live[:excess] if excess > 0 else []
    if evicted:
        await repository.revoke_sessions(session, evicted, reason="session_limit", now=now)
    return OpenedSession(id=session_id, expires_at=expires_at, evicted=evicted)


async def rotate(session: AsyncSession, *, digest: str, now: datetime) -> RotationResult:
    """Spend a refresh token exactly once; tell a reuse (past the grace window) from a miss."""
    session_id = await repository.spend_refresh_token(session, digest=digest, now=now)
    if session_id is not None:
        return RotationResult(session_id=session_id, spent=True)
    use = await repository.refresh_token_use(session, digest)
    if use is None or use[1] is None:
        return RotationResult(session_id=None)
    session_id, used_at = use
    return RotationResult(session_id=session_id, reused=now - used_at > REUSE_GRACE)


def live_sessions_gauge(db: Database, clock: Clock) -> ScrapeHook:
    """At each scrape: how many sessions are live (not revoked, not expired)."""

    async def refresh() -> None:
        metrics.ACTIVE_SESSIONS.set(await repository.count_live_sessions(db, now=clock.now()))

    return refresh


async def issue_tokens(
    ctx: AuthContext, session: AsyncSession, subject: TokenSubject, *, now: datetime
) -> IssuedTokens:
    """A new token pair for the session; its refresh token is stored (as a digest)."""
    pair, digest = issue_pair(ctx.tokens, ctx.settings, subject, now=now)
    await repository.add_refresh_token(
        session, session_id=subject.session_id, digest=digest, now=now
    )
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
            await _revoke_stolen_family(session, result.session_id, user_id=claims.user_id, now=now)
            pair = None
        else:
            pair = await _reissue(ctx, session, result, user_id=claims.user_id, now=now)
    if pair is None:
        if result.reused:
            log.warning("auth.refresh_reuse_detected", user_id=claims.user_id)
            metrics.REFRESH_REUSE.inc()
        metrics.REFRESHES.labels("refused").inc()
        raise Unauthorized("The refresh token is invalid or has been used.", type="invalid-token")
    metrics.REFRESHES.labels("rotated").inc()
    return pair


async def _revoke_stolen_family(
    session: AsyncSession, session_id: int | None, *, user_id: int, now: datetime
) -> None:
    if session_id is None:
        return
    await repository.revoke_sessions(session, [session_id], reason="reuse", now=now)
    audit.record(
        session,
        "user.refresh_reuse_detected",
        actor_id=user_id,
        target_type="session",
        target_id=session_id,
    )


async def _reissue(
    ctx: AuthContext, session: AsyncSession, result: RotationResult, *, user_id: int, now: datetime
) -> IssuedTokens | None:
    """A new pair for the session whose refresh token was just spent, or None if refused: the
    session must be the token's user's, live, and the user still allowed to log in
    (`repository.renew_session` checks all of it as it records the session's use)."""
    if not result.spent or result.session_id is None:
        return None
    renewed = await repository.renew_session(
        session, session_id=result.session_id, user_id=user_id, now=now
    )
    if renewed is None:
        return None
    subject = TokenSubject(user_id, renewed.role, result.session_id, renewed.expires_at)
    pair = await issue_tokens(ctx, session, subject, now=now)
    audit.record(
        session,
        "user.token_refreshed",
        actor_id=user_id,
        target_type="session",
        target_id=result.session_id,
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
    check = await _session_check(ctx, user_id=claims.user_id, session_id=claims.session_id)
    if check is None or not check.is_active or check.deleted_at is not None:
        raise InvalidToken()
    if check.revoked_at is not None or check.expires_at <= now:
        raise SessionRevoked()
    if now - check.last_seen_at >= LAST_SEEN_GRANULARITY:
        await repository.touch_session(ctx.db, session_id=claims.session_id, now=now)
        ctx.session_cache.seen(session_id=claims.session_id, at=now)
    return Principal(
        user=Caller(id=claims.user_id, role=check.role),
        session_id=claims.session_id,
        required_action=check.required_action,
    )


async def _session_check(ctx: AuthContext, *, user_id: int, session_id: int) -> SessionCheck | None:
    """The session's and user's state: from the process's cache while it is trusted, else read
    (one pool checkout and one round trip) and kept for the next request."""
    cache = ctx.session_cache
    check = cache.get(session_id=session_id, user_id=user_id)
    if check is not None:
        return check
    since = cache.generation
    check = await repository.session_check(ctx.db, user_id=user_id, session_id=session_id)
    if check is not None:
        cache.store(session_id=session_id, user_id=user_id, check=check, since=since)
    return check


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
