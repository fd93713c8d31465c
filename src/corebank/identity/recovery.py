"""Password change, forgotten-password mail and reset; the transaction PIN."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from urllib.parse import quote

from corebank.core import audit, metrics, outbox
from corebank.core.errors import ValidationFailed, field_error
from corebank.core.mail import Mail
from corebank.identity import repository
from corebank.identity.context import AuthContext
from corebank.identity.errors import InvalidResetToken, UserNotFound, login_locked
from corebank.identity.pin import validate_pin
from corebank.identity.policy import canonical_identifier
from corebank.identity.service import check_password, login_identifiers, record_login_failure
from corebank.identity.tokens import token_digest
from corebank.models.user import PasswordResetToken, User


async def confirm_current_password(ctx: AuthContext, user: User, password: str) -> None:
    """422 for a wrong current password; wrong guesses count toward the login lockout.

    Otherwise a stolen access token would allow unlimited guessing of the password (and,
    through `set_pin`, of everything the password protects).
    """
    now = ctx.clock.now()
    identifiers = login_identifiers(user.email, user)
    async with ctx.db.session() as session:
        for identifier in identifiers:
            until = await repository.throttle_locked_until(session, identifier, now)
            if until:
                raise login_locked(until, now)
    ok, _ = await ctx.hasher.verify(ctx.policy.normalize(password), user.password_hash)
    if ok:
        return
    await record_login_failure(ctx, identifiers, user, now)
    raise ValidationFailed(
        "The current password is wrong.",
        type="invalid-current-password",
        errors=[field_error(["body", "current_password"], "does not match")],
    )


async def _hash_new_password(ctx: AuthContext, user: User, new_password: str) -> str:
    """The new password's hash, once it passes the rules (422 listing each one it breaks)."""
    normalized = check_password(
        ctx.policy,
        new_password,
        email=user.email,
        username=user.username,
        full_name=user.full_name,
        field="new_password",
    )
    return await ctx.hasher.hash(normalized)


def password_fingerprint(password_hash: str) -> str:
    """Ties a reset token to the password it may replace: a later change kills the token."""
    return hashlib.sha256(password_hash.encode()).hexdigest()


async def change_password(
    ctx: AuthContext,
    *,
    user_id: int,
    session_id: int,
    current_password: str,
    new_password: str,
) -> None:
    """Replace the password after checking the current one; other sessions end."""
    async with ctx.db.session() as session:
        user = await repository.by_id(session, user_id)
    if user is None:
        raise UserNotFound()
    await confirm_current_password(ctx, user, current_password)
    new_hash = await _hash_new_password(ctx, user, new_password)
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        await repository.set_password(session, user_id=user_id, password_hash=new_hash, now=now)
        revoked = await repository.revoke_user_sessions(
            session, user_id=user_id, reason="password_changed", now=now, keep=session_id
        )
        audit.record(
            session,
            "user.password_changed",
            actor_id=user_id,
            target_type="user",
            target_id=user_id,
            after={"revoked_sessions": revoked},
        )
        outbox.emit(
            session,
            "user.password_changed",
            {"user_id": user_id},
            aggregate_type="user",
            aggregate_id=user_id,
        )


async def forgot_password(ctx: AuthContext, *, email: str) -> None:
    """Mail a single-use reset link to a real, active account; do nothing visible otherwise.

    Only the lookup happens before the answer: the token write and the mail run afterwards,
    so a real account answers as fast as an unknown address.
    """
    key = canonical_identifier(email)[:320]
    async with ctx.db.session() as session:
        user = await repository.by_identifier(session, key)
    if user is None or not user.can_log_in or user.email != key:
        return
    ctx.outgoing.run_later(_issue_reset(ctx, user))


async def _issue_reset(ctx: AuthContext, user: User) -> None:
    now = ctx.clock.now()
    token = secrets.token_urlsafe(32)
    async with ctx.db.transaction() as session:
        repository.add_reset_token(
            session,
            PasswordResetToken(
                user_id=user.id,
                token_hash=token_digest(token),
                password_fingerprint=password_fingerprint(user.password_hash),
                created_at=now,
                expires_at=now + timedelta(minutes=ctx.settings.password_reset_minutes),
            ),
        )
        audit.record(
            session,
            "user.password_reset_requested",
            actor_id=user.id,
            target_type="user",
            target_id=user.id,
        )
    metrics.PASSWORD_RESETS.labels("requested").inc()
    await ctx.outgoing.mailer.send(_reset_mail(ctx, user, token))


def _reset_mail(ctx: AuthContext, user: User, token: str) -> Mail:
    link = f"{ctx.settings.public_base_url.rstrip('/')}/reset-password?code={quote(token)}"
    minutes = ctx.settings.password_reset_minutes
    text = (
        f"Hello {user.full_name},\n\n"
        f"Someone asked to reset the password of your {ctx.settings.bank_name} account.\n"
        f"To choose a new password, open this link within {minutes} minutes:\n\n{link}\n\n"
        f"Or send this code to POST /api/v1/auth/password/reset: {token}\n\n"
        "If it was not you, ignore this message; your password has not changed.\n"
    )
    return Mail(to=user.email, subject=f"Reset your {ctx.settings.bank_name} password", text=text)


async def reset_password(ctx: AuthContext, *, token: str, new_password: str) -> None:
    """Set a new password with a reset token: single use, all sessions end, lockout cleared."""
    now = ctx.clock.now()
    async with ctx.db.session() as session:
        reset = await repository.reset_token_by_digest(session, token_digest(token))
        user = await repository.by_id(session, reset.user_id) if reset else None
    if (
        reset is None
        or user is None
        or not user.can_log_in
        or reset.used_at is not None
        or reset.expires_at <= now
        or reset.password_fingerprint != password_fingerprint(user.password_hash)
    ):
        raise InvalidResetToken()
    new_hash = await _hash_new_password(ctx, user, new_password)
    async with ctx.db.transaction() as session:
        if not await repository.spend_reset_token(session, token_id=reset.id, now=now):
            raise InvalidResetToken()
        await repository.set_password(session, user_id=user.id, password_hash=new_hash, now=now)
        revoked = await repository.revoke_user_sessions(
            session, user_id=user.id, reason="password_reset", now=now
        )
        await repository.clear_throttles(session, user.email, user.username or "")
        audit.record(
            session,
            "user.password_reset",
            actor_id=user.id,
            target_type="user",
            target_id=user.id,
            after={"revoked_sessions": revoked},
        )
        outbox.emit(
            session,
            "user.password_changed",
            {"user_id": user.id, "via": "reset"},
            aggregate_type="user",
            aggregate_id=user.id,
        )
    metrics.PASSWORD_RESETS.labels("completed").inc()


async def set_pin(ctx: AuthContext, *, user_id: int, pin: str, current_password: str) -> None:
    """Set or replace the transaction PIN; needs the account password."""
    validate_pin(pin)
    async with ctx.db.session() as session:
        user = await repository.by_id(session, user_id)
    if user is None:
        raise UserNotFound()
    await confirm_current_password(ctx, user, current_password)
    pin_hash = await ctx.hasher.hash(pin)
    async with ctx.db.transaction() as session:
        await repository.set_pin(session, user_id=user_id, pin_hash=pin_hash)
        audit.record(
            session, "user.pin_set", actor_id=user_id, target_type="user", target_id=user_id
        )
