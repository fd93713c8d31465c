"""The transaction PIN: set with the password, required for a customer's money out."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core import audit
from corebank.core.db import Database
from corebank.core.errors import Forbidden, ValidationFailed, field_error
from corebank.identity import repository
from corebank.identity.context import AuthContext
from corebank.identity.errors import pin_blocked
from corebank.identity.policy import pin_problems
from corebank.models.user import User

PIN_HEADER = "X-Transaction-PIN"
PIN_MAX_FAILURES = 5
PIN_BLOCK = timedelta(minutes=30)


def validate_pin(pin: str) -> None:
    """422 listing every rule a new PIN breaks."""
    problems = pin_problems(pin)
    if problems:
        raise ValidationFailed(
            "The PIN is not acceptable.",
            type="weak-pin",
            errors=[field_error(["body", "pin"], message) for message in problems],
        )


async def verify_transaction_pin(
    ctx: AuthContext,
    *,
    user_id: int,
    pin: str | None,
    now: datetime,
    required: bool,
) -> bool:
    """True when a PIN was sent and right, False when none is set and none is required;
    otherwise 403 (PIN missing, wrong or blocked). Commits its own failure counting.

    Call it before the money-moving transaction: a wrong PIN must count even though the
    movement it guarded never happens. Each attempt is counted *before* its hash is checked,
    so a burst of parallel guesses gets no more than PIN_MAX_FAILURES of them evaluated.
    """
    pin_hash = await _reserve_attempt(ctx.db, user_id=user_id, pin=pin, now=now, required=required)
    if pin_hash is None:
        return False
    ok, _ = await ctx.hasher.verify(pin or "", pin_hash)
    await _settle_attempt(ctx.db, user_id=user_id, ok=ok, now=now)
    return True


async def _reserve_attempt(
    db: Database, *, user_id: int, pin: str | None, now: datetime, required: bool
) -> str | None:
    """The stored PIN hash, once this attempt is counted; None when no PIN is needed.

    An attempt refused because PIN use is blocked is audited (`user.pin_refused`) and the
    refusal raised after the commit, so a burst of parallel guesses leaves a row per attempt.
    """
    async with db.transaction() as session:
        user = await _locked_user(session, user_id)
        if user is None:
            raise Forbidden("A transaction PIN is required.", type="transaction-pin-required")
        if user.pin_hash is None:
            if required:
                raise Forbidden(
                    f"Set a transaction PIN first (PUT /api/v1/users/me/pin), then send it as "
                    f"{PIN_HEADER}.",
                    type="transaction-pin-required",
                )
            return None
        blocked_until = _blocked_until(user, now)
        if blocked_until is None and not pin:
            raise Forbidden(
                f"Send your transaction PIN as {PIN_HEADER}.", type="transaction-pin-required"
            )
        if blocked_until is None and user.pin_failed_count >= PIN_MAX_FAILURES:
            blocked_until = _block(session, user, now)  # attempts already in flight
        if blocked_until is None:
            user.pin_failed_count += 1
            return user.pin_hash
        _audit(session, "user.pin_refused", user_id, {"reason": "blocked"})
    raise pin_blocked(blocked_until, now)  # after the commit, so the block and the row stay


async def _settle_attempt(db: Database, *, user_id: int, ok: bool, now: datetime) -> None:
    """Reset the count after a right PIN; audit a wrong one (always) and block at the limit."""
    async with db.transaction() as session:
        user = await _locked_user(session, user_id)
        if user is None:
            raise Forbidden("A transaction PIN is required.", type="transaction-pin-required")
        blocked_until = _blocked_until(user, now)  # parallel guesses may have blocked it
        if ok and blocked_until is None:
            user.pin_failed_count = 0
            return
        if not ok:
            _audit(session, "user.pin_failed", user_id, {"failed_count": user.pin_failed_count})
        else:  # the right PIN, but parallel wrong ones blocked PIN use meanwhile
            _audit(session, "user.pin_refused", user_id, {"reason": "blocked"})
        if blocked_until is None and user.pin_failed_count >= PIN_MAX_FAILURES:
            blocked_until = _block(session, user, now)
    if blocked_until is not None:
        raise pin_blocked(blocked_until, now)
    raise Forbidden("The transaction PIN is wrong.", type="invalid-transaction-pin")


def _blocked_until(user: User, now: datetime) -> datetime | None:
    until = user.pin_locked_until
    return until if until is not None and until > now else None


def _audit(session: AsyncSession, action: str, user_id: int, after: dict[str, object]) -> None:
    audit.record(
        session, action, actor_id=user_id, target_type="user", target_id=user_id, after=after
    )


async def _locked_user(session: AsyncSession, user_id: int) -> User | None:
    return await repository.by_id(session, user_id, for_update=True)


def _block(session: AsyncSession, user: User, now: datetime) -> datetime:
    user.pin_failed_count, user.pin_locked_until = 0, now + PIN_BLOCK
    audit.record(
        session,
        "user.pin_blocked",
        actor_id=user.id,
        target_type="user",
        target_id=user.id,
        after={"until": user.pin_locked_until.isoformat()},
    )
    return user.pin_locked_until
