"""Registration and login (the password step, then tokens or an MFA ticket): the rules,
each in its own transaction. Sessions, refresh and logout are in sessions.py."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core import audit, metrics, outbox
from corebank.core.errors import ValidationFailed, field_error
from corebank.identity import repository
from corebank.identity import sessions as auth_sessions
from corebank.identity.context import AuthContext
from corebank.identity.errors import (
    InvalidCredentials,
    duplicate_user,
    login_locked,
)
from corebank.identity.policy import PasswordPolicy, canonical_identifier, validate_username
from corebank.identity.repository import LoginUser
from corebank.identity.sessions import IssuedTokens, TokenSubject
from corebank.identity.tokens import token_digest
from corebank.models.user import Role, User

log = structlog.get_logger(__name__)

#: The required action of a staff session without a second factor: it may only enrol one.
ENROL_MFA = "enrol_mfa"


@dataclass(frozen=True)
class MfaRequired:
    """The password step of an enrolled user: a ticket for the code step, not a token."""

    ticket: str
    expires_in: int


LoginResult = IssuedTokens | MfaRequired


class Account(Protocol):
    """What the lockout rules need of a user: a login's LoginUser or a loaded User."""

    @property
    def id(self) -> int: ...

    @property
    def email(self) -> str: ...

    @property
    def username(self) -> str | None: ...


def check_password(
    policy: PasswordPolicy,
    password: str,
    *,
    email: str | None,
    username: str | None,
    full_name: str | None,
    field: str = "password",
) -> str:
    """The normalized password, or 422 listing every rule it breaks."""
    problems = policy.problems(password, email=email, username=username, full_name=full_name)
    if problems:
        raise ValidationFailed(
            "The password does not meet the password rules.",
            type="weak-password",
            errors=[field_error(["body", field], message) for message in problems],
        )
    return policy.normalize(password)


def canonical_username(username: str | None) -> str | None:
    if username is None:
        return None
    try:
        return validate_username(username)
    except ValueError as exc:
        raise ValidationFailed(
            str(exc), type="invalid-username", errors=[field_error(["body", "username"], str(exc))]
        ) from None


async def create_user(
    ctx: AuthContext,
    *,
    email: str,
    password: str,
    full_name: str,
    username: str | None,
    role: Role,
    actor_id: int | None,
    self_registered: bool = False,
) -> User:
    """A new user after the password policy and uniqueness checks (409 naming the field)."""
    email = canonical_identifier(email)
    username = canonical_username(username)
    normalized = check_password(
        ctx.policy, password, email=email, username=username, full_name=full_name
    )
    password_hash = await ctx.hasher.hash(normalized)
    try:
        async with ctx.db.transaction() as session:
            clash = await repository.email_or_username_taken(
                session, email=email, username=username
            )
            if clash:
                raise duplicate_user(clash)
            user = User(
                email=email,
                username=username,
                full_name=full_name,
                role=role,
                password_hash=password_hash,
                is_active=True,
                pin_failed_count=0,
                password_changed_at=ctx.clock.now(),
            )
            await repository.add_user(session, user)
            await _on_user_created(
                session, user, actor_id=actor_id, self_registered=self_registered
            )
    except IntegrityError:
        raise duplicate_user("email or username") from None
    return user


async def _on_user_created(
    session: AsyncSession, user: User, *, actor_id: int | None, self_registered: bool
) -> None:
    audit.record(
        session,
        "user.registered" if self_registered else "user.created",
        actor_id=user.id if self_registered else actor_id,
        target_type="user",
        target_id=user.id,
        after={"email": user.email, "role": str(user.role), "username": user.username},
    )
    if self_registered:
        outbox.emit(
            session,
            "user.registered",
            {"user_id": user.id, "email": user.email},
            aggregate_type="user",
            aggregate_id=user.id,
        )


async def login(ctx: AuthContext, *, identifier: str, password: str) -> LoginResult:
    """Tokens for a good password; the same 401 for unknown users and wrong passwords."""
    key = canonical_identifier(identifier)[:320]
    now = ctx.clock.now()
    found = await repository.login_lookup(ctx.db, key=key, now=now)
    user = found.user
    identifiers = login_identifiers(key, user)
    if found.locked_until:
        metrics.LOGINS.labels("locked").inc()
        raise login_locked(found.locked_until, now)
    ok, new_hash = await ctx.hasher.verify(ctx.policy.normalize(password), _hash_of(user))
    if not ok or user is None or not user.can_log_in:
        await record_login_failure(ctx, identifiers, user, now)
        raise InvalidCredentials()
    return await _login_succeeded(ctx, identifiers, user, new_hash, now)


def login_identifiers(key: str, user: Account | None) -> list[str]:
    """Every identifier a failure counts against: what was typed, and the user's e-mail and
    username, so having both does not double the guesses allowed. Sorted: rows lock in order."""
    names = {key}
    if user is not None:
        names.update(i for i in (user.email, user.username) if i)
    return sorted(names)


def _hash_of(user: LoginUser | None) -> str | None:
    return user.password_hash if user is not None else None


async def _lock_end(
    session: AsyncSession, identifiers: list[str], now: datetime
) -> datetime | None:
    ends = [await repository.throttle_locked_until(session, name, now) for name in identifiers]
    return max((end for end in ends if end is not None), default=None)


async def record_login_failure(
    ctx: AuthContext, identifiers: list[str], user: Account | None, now: datetime
) -> None:
    """Count a failed password against each identifier; 403 once any of them is locked."""
    settings = ctx.settings
    user_id = user.id if user else None
    async with ctx.db.transaction() as session:
        outcomes = [
            await repository.record_throttle_failure(
                session,
                name,
                now=now,
                max_failures=settings.lockout_max_failures,
                lock_for=timedelta(minutes=settings.lockout_minutes),
            )
            for name in identifiers
        ]
        count = max(o.count for o in outcomes)
        newly_locked = any(o.newly_locked for o in outcomes)
        until = max((o.locked_until for o in outcomes if o.locked_until), default=None)
        audit.record(
            session,
            "user.login_failed",
            actor_id=user_id,
            target_type="user",
            target_id=user_id,
            after={"failed_count": count},
        )
        if newly_locked:
            audit.record(
                session,
                "user.locked",
                actor_id=user_id,
                target_type="user",
                target_id=user_id,
                after={"until": str(until)},
            )
            if user is not None:
                outbox.emit(
                    session,
                    "user.locked",
                    {"user_id": user.id},
                    aggregate_type="user",
                    aggregate_id=user.id,
                )
    log.info("auth.login_failed", user_id=user_id, failed_count=count)
    metrics.LOGINS.labels("failure").inc()
    if newly_locked:
        metrics.LOCKOUTS.inc()
    if until is not None:
        raise login_locked(until, now)


async def _login_succeeded(
    ctx: AuthContext, identifiers: list[str], user: LoginUser, new_hash: str | None, now: datetime
) -> LoginResult:
    """Tokens, or for a user with a second factor a ticket for the code step."""
    result: LoginResult | None = None
    async with ctx.db.transaction() as session:
        unlocked = [
            await repository.reset_throttle_if_unlocked(session, name, now) for name in identifiers
        ]
        if all(unlocked):
            result = await _admit(ctx, session, user, new_hash, now)
    if result is None:  # a parallel failure locked it while this password was checked
        metrics.LOGINS.labels("locked").inc()
        async with ctx.db.read() as session:
            until = await _lock_end(session, identifiers, now)
        raise login_locked(until or now, now)
    metrics.LOGINS.labels("mfa_required" if isinstance(result, MfaRequired) else "success").inc()
    return result


async def _admit(
    ctx: AuthContext, session: AsyncSession, user: LoginUser, new_hash: str | None, now: datetime
) -> LoginResult:
    """After a good password: its hash upgraded if its parameters are outdated, then tokens, or
    for a user with a second factor a ticket for the code step."""
    locked = await repository.lock_for_login(session, user.id)
    if (
        locked is None  # deleted meanwhile
        or locked.password_hash != user.password_hash  # the checked password is no longer it
        or not locked.is_active
        or locked.deleted_at is not None
    ):
        raise InvalidCredentials()
    if new_hash is not None:  # under the lock: it cannot overwrite a password changed meanwhile
        await repository.set_password_hash(session, user_id=user.id, password_hash=new_hash)
    if locked.has_factor:
        return await _issue_mfa_ticket(ctx, session, user.id, now)
    return await start_session(
        ctx,
        session,
        user_id=user.id,
        role=locked.role,
        now=now,
        method="password",
        has_factor=False,
    )


async def _issue_mfa_ticket(
    ctx: AuthContext, session: AsyncSession, user_id: int, now: datetime
) -> MfaRequired:
    ticket = secrets.token_urlsafe(32)
    lifetime = timedelta(minutes=ctx.settings.mfa_ticket_minutes)
    await repository.add_mfa_ticket(
        session, user_id=user_id, digest=token_digest(ticket), now=now, expires_at=now + lifetime
    )
    audit.record(
        session, "user.login_mfa_required", actor_id=user_id, target_type="user", target_id=user_id
    )
    return MfaRequired(ticket=ticket, expires_in=int(lifetime.total_seconds()))


async def start_session(
    ctx: AuthContext,
    session: AsyncSession,
    *,
    user_id: int,
    role: str,
    now: datetime,
    method: str,
    has_factor: bool,
) -> IssuedTokens:
    """Open a session for a user who just proved who they are; its token pair. The caller holds
    the user's row lock and knows whether the user has a confirmed second factor.

    Staff and admins without a second factor get a session that may only enrol one while
    REQUIRE_MFA_FOR_STAFF is on (Keycloak's "required action")."""
    required_action = None
    if ctx.settings.require_mfa_for_staff and role in (Role.staff, Role.admin) and not has_factor:
        required_action = ENROL_MFA
    opened = await auth_sessions.open_session(
        session, ctx.settings, user_id=user_id, now=now, required_action=required_action
    )
    subject = TokenSubject(user_id, str(role), opened.id, opened.expires_at)
    pair = await auth_sessions.issue_tokens(ctx, session, subject, now=now)
    audit.record(
        session,
        "user.login_succeeded",
        actor_id=user_id,
        target_type="user",
        target_id=user_id,
        after={
            "session_id": opened.id,
            "evicted_sessions": opened.evicted,
            "method": method,
            "required_action": required_action,
        },
    )
    return pair
