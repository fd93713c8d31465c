"""The transaction PIN: set with the password, required for a customer's money out."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from corebank.auth.passwords import PasswordHasher
from corebank.auth.policy import pin_problems
from corebank.core import audit
from corebank.core.db import Database
from corebank.core.errors import Forbidden, ValidationFailed, field_error
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
    db: Database,
    hasher: PasswordHasher,
    *,
    user_id: int,
    pin: str | None,
    now: datetime,
    required: bool,
) -> None:
    """Pass, or raise 403 (PIN missing, wrong or blocked). Commits its own failure counting.

    Call it before the money-moving transaction: a wrong PIN must count even though the
    movement it guarded never happens.
    """
    async with db.session() as session:
        user = await session.get(User, user_id)
    if user is None:
        raise Forbidden("A transaction PIN is required.", type="transaction-pin-required")
    if user.pin_hash is None:
        if required:
            raise Forbidden(
                f"Set a transaction PIN first (PUT /api/v1/users/me/pin), then send it as "
                f"{PIN_HEADER}.",
                type="transaction-pin-required",
            )
        return
    if user.pin_locked_until is not None and user.pin_locked_until > now:
        raise _blocked(user.pin_locked_until, now)
    if not pin:
        raise Forbidden(
            f"Send your transaction PIN as {PIN_HEADER}.", type="transaction-pin-required"
        )
    ok, _ = await hasher.verify(pin, user.pin_hash)
    await _record_outcome(db, user_id=user_id, ok=ok, now=now)


async def _record_outcome(db: Database, *, user_id: int, ok: bool, now: datetime) -> None:
    blocked_until: datetime | None = None
    async with db.transaction() as session:
        user = await session.scalar(select(User).where(User.id == user_id).with_for_update())
        if user is None:
            return
        if ok:
            user.pin_failed_count, user.pin_locked_until = 0, None
            return
        user.pin_failed_count += 1
        audit.record(
            session,
            "user.pin_failed",
            actor_id=user_id,
            target_type="user",
            target_id=user_id,
            after={"failed_count": user.pin_failed_count},
        )
        if user.pin_failed_count >= PIN_MAX_FAILURES:
            user.pin_failed_count, user.pin_locked_until = 0, now + PIN_BLOCK
            blocked_until = user.pin_locked_until
            audit.record(
                session,
                "user.pin_blocked",
                actor_id=user_id,
                target_type="user",
                target_id=user_id,
                after={"until": blocked_until.isoformat()},
            )
    if blocked_until is not None:
        raise _blocked(blocked_until, now)
    if not ok:
        raise Forbidden("The transaction PIN is wrong.", type="invalid-transaction-pin")


def _blocked(until: datetime, now: datetime) -> Forbidden:
    seconds = max(1, int((until - now).total_seconds()))
    return Forbidden(
        "Too many wrong PINs; PIN use is blocked for a while.",
        type="transaction-pin-blocked",
        headers={"Retry-After": str(seconds)},
    )
