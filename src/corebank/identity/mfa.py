"""A second factor: TOTP (RFC 6238) with single-use recovery codes.

Enrolment: `start_enrolment` makes a secret (shown once, as text, an otpauth:// URI and a QR
code) and `confirm_enrolment` turns it on with a first valid code, answering 10 recovery codes
(shown once, kept as SHA-256 only). Login of an enrolled user: the password step answers a
ticket (service.login), `complete_login` trades it and a code (or a recovery code) for tokens.

Every code attempt locks the user's row, so parallel attempts queue: each is counted against
MFA_MAX_FAILURES and audited, and the one that reaches it locks code use for MFA_LOCK_MINUTES.
A code is accepted once: its 30-second step must be later than the last accepted one. One step
of clock drift is allowed either way.
"""

from __future__ import annotations

import hmac
import io
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

import pyotp
import segno
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core import audit, metrics, outbox
from corebank.core.errors import Conflict, CorebankError, Forbidden, Unauthorized, ValidationFailed
from corebank.identity import repository
from corebank.identity.context import AuthContext
from corebank.identity.errors import UserNotFound
from corebank.identity.principal import Principal
from corebank.identity.recovery import confirm_current_password
from corebank.identity.repository import CodeCounters, TotpUse
from corebank.identity.service import ENROL_MFA, start_session
from corebank.identity.sessions import IssuedTokens
from corebank.identity.tokens import token_digest
from corebank.models.mfa import TotpFactor
from corebank.models.user import Role, User

STEP_SECONDS = 30
DRIFT_STEPS = 1
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str
    qr_svg: str


@dataclass(frozen=True)
class Factor:
    """A code as sent: a TOTP code or a recovery code (exactly one is set by the schemas)."""

    code: str | None = None
    recovery_code: str | None = None


class InvalidMfaCode(Unauthorized):
    type = "invalid-mfa-code"

    def __init__(self, detail: str = "The code is wrong, expired or already used.") -> None:
        super().__init__(detail)


class InvalidMfaTicket(Unauthorized):
    type = "invalid-mfa-ticket"

    def __init__(self) -> None:
        super().__init__("The MFA ticket is invalid, used or expired; log in again.")


class CodeLock(Protocol):
    """A user's wrong-code count and code lock, as `_attempt` updates them: a loaded User, or
    the columns a login read (`repository.CodeCounters`)."""

    id: int
    mfa_failed_count: int
    mfa_locked_until: datetime | None


class TotpSecret(Protocol):
    """A TOTP factor's sealed secret and last accepted step: a loaded TotpFactor, or the
    columns a login read (`repository.TotpUse`)."""

    key_id: str
    secret_ciphertext: str
    last_used_step: int | None


def mfa_locked(until: datetime, now: datetime) -> Forbidden:
    return Forbidden(
        "Too many wrong codes; second-factor codes are blocked for a while.",
        type="mfa-locked",
        headers={"Retry-After": str(max(1, int((until - now).total_seconds())))},
    )


# --- enrolment -----------------------------------------------------------------------------


async def start_enrolment(ctx: AuthContext, *, principal: Principal) -> Enrolment:
    """A fresh secret for the caller (replacing an unconfirmed one); 409 if already enabled."""
    now = ctx.clock.now()
    secret = pyotp.random_base32()
    async with ctx.db.transaction() as session:
        user = await _locked_user(session, principal.user.id)
        existing = await repository.totp_factor(session, user.id, for_update=True)
        if existing is not None and existing.confirmed_at is not None:
            raise Conflict(
                "A second factor is already enabled; disable it first to enrol a new one.",
                type="mfa-already-enabled",
            )
        await repository.remove_second_factors(session, user.id)
        key_id, sealed = ctx.secrets.seal(secret)
        await repository.add_totp_factor(
            session,
            TotpFactor(user_id=user.id, secret_ciphertext=sealed, key_id=key_id, created_at=now),
        )
        _audit(session, "user.mfa_enrolment_started", user.id)
        email = user.email
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ctx.settings.bank_name)
    return Enrolment(secret=secret, otpauth_uri=uri, qr_svg=_qr_svg(uri))


async def confirm_enrolment(
    ctx: AuthContext, *, principal: Principal, code: str, password: str
) -> list[str]:
    """Turn the enrolled secret on with a valid code and the account password; the recovery
    codes, shown this once. The password is what keeps a stolen access token from adding
    its thief's own factor (and then passing strong authentication with it)."""
    await _confirm_password(ctx, principal, password)
    now = ctx.clock.now()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    async with ctx.db.transaction() as session:
        user = await _locked_user(session, principal.user.id)
        factor = await repository.totp_factor(session, user.id, for_update=True)
        if factor is None or factor.confirmed_at is not None:
            raise Conflict("Start an enrolment first.", type="mfa-not-enrolling")
        refusal = await _attempt(ctx, session, user, factor, Factor(code=code), now)
        if refusal is None:
            factor.confirmed_at = now
            digests = [token_digest(_normalized(c)) for c in codes]
            await repository.replace_recovery_codes(
                session, user_id=user.id, digests=digests, now=now
            )
            await repository.clear_required_action(session, user_id=user.id, action=ENROL_MFA)
            _audit(session, "user.mfa_enabled", user.id)
            _tell_owner(session, user.id, "enabled")
    if refusal is not None:
        raise _as_validation(refusal)
    return codes


async def disable(ctx: AuthContext, *, principal: Principal, password: str, code: str) -> None:
    """Turn the second factor off: needs the password and a current code (or recovery code).
    Staff who must have one (REQUIRE_MFA_FOR_STAFF) are back to enrol-only sessions."""
    await _confirm_password(ctx, principal, password)
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        user = await _locked_user(session, principal.user.id)
        factor = await repository.confirmed_totp(session, user.id)
        if factor is None:
            raise Conflict("No second factor is enabled.", type="mfa-not-enabled")
        refusal = await _attempt(ctx, session, user, factor, _factor_of(code), now)
        if refusal is None:
            await repository.remove_second_factors(session, user.id)
            if ctx.settings.require_mfa_for_staff and user.role in (Role.staff, Role.admin):
                await repository.require_action(session, user_id=user.id, action=ENROL_MFA)
            _audit(session, "user.mfa_disabled", user.id)
            _tell_owner(session, user.id, "disabled")
    if refusal is not None:
        raise _as_validation(refusal)


async def reset(ctx: AuthContext, *, actor: Principal, user_id: int) -> None:
    """Remove a user's second factor (staff: customers' only; admins: anyone else's); the
    user's sessions end and their code lockout is cleared. Audited."""
    if actor.user.id == user_id:
        raise ValidationFailed(
            "Use your own disable flow (password and code).", type="cannot-reset-own-mfa"
        )
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        user = await _locked_user(session, user_id)
        if actor.role != Role.admin and user.role != Role.customer:
            raise Forbidden("Only an admin resets staff's second factor.", type="insufficient-role")
        removed = await repository.remove_second_factors(session, user.id)
        user.mfa_failed_count, user.mfa_locked_until = 0, None
        revoked = await repository.revoke_user_sessions(
            session, user_id=user.id, reason="mfa_reset", now=now
        )
        audit.record(
            session,
            "user.mfa_reset",
            actor_id=actor.user.id,
            target_type="user",
            target_id=user.id,
            after={"had_factor": bool(removed), "revoked_sessions": revoked},
        )
        _tell_owner(session, user.id, "reset")


# --- login with a second factor ------------------------------------------------------------


async def complete_login(ctx: AuthContext, *, ticket: str, factor: Factor) -> IssuedTokens:
    """Tokens for a live ticket and a good code; the ticket is spent only by success."""
    now = ctx.clock.now()
    pair: IssuedTokens | None = None
    async with ctx.db.transaction() as session:
        found = await repository.mfa_login(session, token_digest(ticket))
        if found is None or found.used_at is not None or found.expires_at <= now:
            raise InvalidMfaTicket()
        if not found.can_log_in or found.totp is None:
            raise InvalidMfaTicket()
        refusal = await _login_attempt(ctx, session, found.counters, found.totp, factor, now)
        if refusal is None:
            await repository.spend_mfa_ticket(session, ticket_id=found.ticket_id, now=now)
            pair = await start_session(
                ctx,
                session,
                user_id=found.counters.id,
                role=found.role,
                now=now,
                method="recovery_code" if factor.recovery_code else "totp",
                has_factor=True,
            )
    if pair is None:
        metrics.LOGINS.labels("mfa_failure").inc()
        raise refusal or InvalidMfaCode()
    metrics.LOGINS.labels("success").inc()
    return pair


async def verify_code(ctx: AuthContext, *, user_id: int, code: str) -> bool:
    """Check a TOTP or recovery code of a user's enabled factor (strong authentication of a
    payment); counted and audited like a login code. False when no factor is enabled."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        user = await _locked_user(session, user_id)
        totp = await repository.confirmed_totp(session, user.id)
        if totp is None:
            return False
        refusal = await _attempt(ctx, session, user, totp, _factor_of(code), now)
    if refusal is not None:
        raise refusal
    return True


async def has_factor(ctx: AuthContext, *, user_id: int) -> bool:
    async with ctx.db.read() as session:
        return await repository.confirmed_totp(session, user_id) is not None


async def status(ctx: AuthContext, *, user_id: int) -> tuple[bool, int]:
    """Whether a second factor is on, and how many recovery codes are unused."""
    async with ctx.db.read() as session:
        enabled = await repository.confirmed_totp(session, user_id) is not None
        left = await repository.unused_recovery_codes(session, user_id) if enabled else 0
    return enabled, left


# --- one attempt ---------------------------------------------------------------------------


async def _login_attempt(
    ctx: AuthContext,
    session: AsyncSession,
    counters: CodeCounters,
    totp: TotpUse,
    sent: Factor,
    now: datetime,
) -> CorebankError | None:
    """`_attempt` on copies of the columns a login read; what it changed is written back."""
    new_counters, new_totp = replace(counters), replace(totp)
    refusal = await _attempt(ctx, session, new_counters, new_totp, sent, now)
    if new_counters != counters:
        await repository.save_code_counters(session, new_counters)
    if new_totp != totp:
        await repository.save_totp_use(session, new_totp)
    return refusal


async def _attempt(
    ctx: AuthContext,
    session: AsyncSession,
    user: CodeLock,
    factor: TotpSecret,
    sent: Factor,
    now: datetime,
) -> CorebankError | None:
    """Check one code under the user's row lock; None when it is good, else the refusal to
    raise after the commit (so the count, the lock and the audit row stay)."""
    if user.mfa_locked_until is not None and user.mfa_locked_until > now:
        _audit(session, "user.mfa_refused", user.id, reason="locked")
        return mfa_locked(user.mfa_locked_until, now)
    if sent.recovery_code is not None:
        digest = token_digest(_normalized(sent.recovery_code))
        ok = await repository.spend_recovery_code(session, user_id=user.id, digest=digest, now=now)
    else:
        ok = _accept_totp(ctx, factor, sent.code or "", now)
    if ok:
        user.mfa_failed_count = 0
        return None
    user.mfa_failed_count += 1
    _audit(session, "user.mfa_failed", user.id, failed_count=user.mfa_failed_count)
    if user.mfa_failed_count < ctx.settings.mfa_max_failures:
        return InvalidMfaCode()
    user.mfa_failed_count = 0
    user.mfa_locked_until = now + timedelta(minutes=ctx.settings.mfa_lock_minutes)
    _audit(session, "user.mfa_locked", user.id, until=user.mfa_locked_until.isoformat())
    return mfa_locked(user.mfa_locked_until, now)


def _accept_totp(ctx: AuthContext, factor: TotpSecret, code: str, now: datetime) -> bool:
    """Whether `code` is the code of a step within the drift window not accepted before."""
    secret = ctx.secrets.open(factor.key_id, factor.secret_ciphertext)
    if not ctx.secrets.is_current(factor.key_id):  # re-seal under the current key
        factor.key_id, factor.secret_ciphertext = ctx.secrets.seal(secret)
    code = code.strip()
    if not (code.isascii() and code.isdigit()):
        return False
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if factor.last_used_step is not None and step <= factor.last_used_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            factor.last_used_step = step
            return True
    return False


async def _confirm_password(ctx: AuthContext, principal: Principal, password: str) -> None:
    async with ctx.db.read() as session:
        user = await repository.by_id(session, principal.user.id)
    if user is None:
        raise UserNotFound()
    await confirm_current_password(ctx, user, password)


def _factor_of(code: str) -> Factor:
    """Six ASCII digits are a TOTP code; anything else is tried as a recovery code."""
    stripped = code.strip()
    if stripped.isascii() and stripped.isdigit() and len(stripped) == 6:
        return Factor(code=stripped)
    return Factor(recovery_code=stripped)


def _as_validation(refusal: CorebankError) -> CorebankError:
    """A wrong code on an authenticated route is a 422 on the `code` field, not a 401."""
    if isinstance(refusal, InvalidMfaCode):
        return ValidationFailed(
            refusal.detail,
            type="invalid-mfa-code",
            errors=[{"loc": ["body", "code"], "msg": "wrong code", "type": "value_error"}],
        )
    return refusal


async def _locked_user(session: AsyncSession, user_id: int) -> User:
    user = await repository.by_id(session, user_id, for_update=True)
    if user is None:
        raise UserNotFound()
    return user


def _audit(session: AsyncSession, action: str, user_id: int, **after: object) -> None:
    audit.record(
        session,
        action,
        actor_id=user_id,
        target_type="user",
        target_id=user_id,
        after=after or None,
    )


def _tell_owner(session: AsyncSession, user_id: int, change: str) -> None:
    """An event (and so a notice mail) whenever the user's second factor changes: a factor
    added by someone holding the user's password and token should not go unnoticed."""
    outbox.emit(
        session,
        "user.second_factor_changed",
        {"user_id": user_id, "change": change},
        aggregate_type="user",
        aggregate_id=user_id,
    )


def _new_recovery_code() -> str:
    chars = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def _normalized(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _qr_svg(uri: str) -> str:
    """The URI as a standalone SVG QR code (what an authenticator app scans)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", xmldecl=False, scale=4, border=2)
    return out.getvalue().decode()
