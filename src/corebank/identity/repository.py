"""Every query of the identity domain: users, sessions and refresh tokens, login throttles,
password-reset tokens, and the per-request session check.

Login throttles count failures per canonical identifier, atomically in SQL, so the count holds
across workers and instances; identifiers that match no user count too, so a lock reveals
nothing about who has an account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, bindparam, case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.db import Database
from corebank.core.sql import Prepared
from corebank.models.mfa import MfaTicket, RecoveryCode, TotpFactor
from corebank.models.user import (
    AuthSession,
    LoginThrottle,
    PasswordResetToken,
    RefreshToken,
    Role,
    User,
)

# --- users ---------------------------------------------------------------------------------


async def by_identifier(session: AsyncSession, identifier: str) -> User | None:
    """The user whose canonical e-mail or username is `identifier`."""
    return await session.scalar(
        select(User).where(or_(User.email == identifier, User.username == identifier))
    )


async def by_id(session: AsyncSession, user_id: int, *, for_update: bool = False) -> User | None:
    stmt = select(User).where(User.id == user_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def email_or_username_taken(
    session: AsyncSession, *, email: str | None, username: str | None, exclude_id: int = 0
) -> str | None:
    """Which field ('email' or 'username') clashes with another user, if any."""
    for field, value in (("email", email), ("username", username)):
        if value is None:
            continue
        column = User.email if field == "email" else User.username
        clash = await session.scalar(select(User.id).where(column == value, User.id != exclude_id))
        if clash is not None:
            return field
    return None


def listing(*, role: Role | None, is_active: bool | None, q: str | None) -> Select[tuple[User]]:
    """Users filtered for the admin list (deleted users included, flagged by deleted_at)."""
    stmt = select(User)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if is_active is not None:
        stmt = stmt.where(User.is_active.is_(is_active))
    if q:
        stmt = stmt.where(
            or_(
                User.email.contains(q, autoescape=True),
                User.username.contains(q, autoescape=True),
                User.full_name.icontains(q, autoescape=True),
            )
        )
    return stmt


async def add_user(session: AsyncSession, user: User) -> User:
    """Insert the user (its id is set when this returns)."""
    session.add(user)
    await session.flush()
    return user


async def lock_user(session: AsyncSession, user_id: int) -> None:
    """Lock the user's row (concurrent logins then count each other's sessions)."""
    await session.execute(select(User.id).where(User.id == user_id).with_for_update())


async def set_password(
    session: AsyncSession, *, user_id: int, password_hash: str, now: datetime
) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(password_hash=password_hash, password_changed_at=now)
    )


async def set_pin(session: AsyncSession, *, user_id: int, pin_hash: str) -> None:
    """Store a new PIN hash and clear any PIN block."""
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(pin_hash=pin_hash, pin_failed_count=0, pin_locked_until=None)
    )


# --- sessions and refresh tokens -----------------------------------------------------------


async def add_session(session: AsyncSession, auth_session: AuthSession) -> AuthSession:
    session.add(auth_session)
    await session.flush()
    return auth_session


async def session_by_id(
    session: AsyncSession, session_id: int, *, for_update: bool = False
) -> AuthSession | None:
    stmt = select(AuthSession).where(AuthSession.id == session_id)
    if for_update:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


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


async def count_live_sessions(db: Database, *, now: datetime) -> int:
    async with db.session() as session:
        live = await session.scalar(
            select(func.count())
            .select_from(AuthSession)
            .where(AuthSession.revoked_at.is_(None), AuthSession.expires_at > now)
        )
    return live or 0


async def revoke_sessions(
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


async def revoke_user_sessions(
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


def add_refresh_token(
    session: AsyncSession, *, session_id: int, digest: str, now: datetime
) -> None:
    session.add(RefreshToken(session_id=session_id, token_hash=digest, created_at=now))


async def spend_refresh_token(session: AsyncSession, *, digest: str, now: datetime) -> int | None:
    """Mark an unused refresh token used (a conditional UPDATE: concurrent callers race on
    it, one wins); its session id, or None when it was unknown or already used."""
    spent = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.token_hash == digest, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .returning(RefreshToken.session_id)
    )
    return spent.scalar_one_or_none()


async def refresh_token_by_digest(session: AsyncSession, digest: str) -> RefreshToken | None:
    return await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest))


# --- the per-request session check ---------------------------------------------------------


@dataclass(frozen=True)
class SessionCheck:
    """The six columns an authenticated request needs of its user and session."""

    role: str
    is_active: bool
    deleted_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime
    last_seen_at: datetime
    required_action: str | None


# Built once: every authenticated request runs it, on the driver (see Database.fetch_row).
_USER_AND_SESSION = Prepared(
    select(
        User.role,
        User.is_active,
        User.deleted_at,
        AuthSession.revoked_at,
        AuthSession.expires_at,
        AuthSession.last_seen_at,
        AuthSession.required_action,
    )
    .join(AuthSession, AuthSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), AuthSession.id == bindparam("session_id"))
)


async def session_check(db: Database, *, user_id: int, session_id: int) -> SessionCheck | None:
    found = await db.fetch_row(_USER_AND_SESSION, {"user_id": user_id, "session_id": session_id})
    return SessionCheck(*found) if found is not None else None


async def touch_session(db: Database, *, session_id: int, now: datetime) -> None:
    """Record that the session was used now (a transaction of its own)."""
    async with db.transaction() as session:
        await session.execute(
            update(AuthSession).where(AuthSession.id == session_id).values(last_seen_at=now)
        )


async def require_action(session: AsyncSession, *, user_id: int, action: str) -> None:
    """Limit every live session of the user to `action` (e.g. enrolling a second factor)."""
    await session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(required_action=action)
    )


async def clear_required_action(session: AsyncSession, *, user_id: int, action: str) -> None:
    """Lift `action` from every session of the user (it has been done)."""
    await session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.required_action == action)
        .values(required_action=None)
    )


# --- second factors ------------------------------------------------------------------------


async def totp_factor(
    session: AsyncSession, user_id: int, *, for_update: bool = False
) -> TotpFactor | None:
    """The user's TOTP factor, confirmed or still being enrolled."""
    stmt = select(TotpFactor).where(TotpFactor.user_id == user_id)
    return await session.scalar(stmt.with_for_update() if for_update else stmt)


async def confirmed_totp(session: AsyncSession, user_id: int) -> TotpFactor | None:
    return await session.scalar(
        select(TotpFactor).where(
            TotpFactor.user_id == user_id, TotpFactor.confirmed_at.is_not(None)
        )
    )


async def add_totp_factor(session: AsyncSession, factor: TotpFactor) -> None:
    session.add(factor)
    await session.flush()


async def remove_second_factors(session: AsyncSession, user_id: int) -> int:
    """Delete the user's TOTP factor and recovery codes; how many factors there were."""
    removed = await session.execute(delete(TotpFactor).where(TotpFactor.user_id == user_id))
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    return removed.rowcount  # type: ignore[attr-defined,no-any-return]


async def replace_recovery_codes(
    session: AsyncSession, *, user_id: int, digests: list[str], now: datetime
) -> None:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    session.add_all(
        RecoveryCode(user_id=user_id, code_hash=digest, created_at=now) for digest in digests
    )


async def spend_recovery_code(
    session: AsyncSession, *, user_id: int, digest: str, now: datetime
) -> bool:
    """Mark the user's unused recovery code with this digest used; False if there is none."""
    spent = await session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == digest,
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    return spent.rowcount == 1  # type: ignore[attr-defined,no-any-return]


async def unused_recovery_codes(session: AsyncSession, user_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )
    return count or 0


def add_mfa_ticket(
    session: AsyncSession, *, user_id: int, digest: str, now: datetime, expires_at: datetime
) -> None:
    session.add(
        MfaTicket(user_id=user_id, token_hash=digest, created_at=now, expires_at=expires_at)
    )


async def mfa_ticket_for_update(session: AsyncSession, digest: str) -> MfaTicket | None:
    return await session.scalar(
        select(MfaTicket).where(MfaTicket.token_hash == digest).with_for_update()
    )


# --- password-reset tokens -----------------------------------------------------------------


def add_reset_token(session: AsyncSession, token: PasswordResetToken) -> None:
    session.add(token)


async def reset_token_by_digest(session: AsyncSession, digest: str) -> PasswordResetToken | None:
    return await session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == digest)
    )


async def spend_reset_token(session: AsyncSession, *, token_id: int, now: datetime) -> bool:
    """Mark the reset token used; False when another request used it first."""
    spent = await session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == token_id, PasswordResetToken.used_at.is_(None))
        .values(used_at=now)
    )
    return spent.rowcount == 1  # type: ignore[attr-defined]


# --- login throttles -----------------------------------------------------------------------


@dataclass(frozen=True)
class FailureOutcome:
    count: int
    locked_until: datetime | None
    newly_locked: bool


async def throttle_locked_until(
    session: AsyncSession, identifier: str, now: datetime
) -> datetime | None:
    """When the identifier's lock ends, or None if it is not locked now."""
    until = await session.scalar(
        select(LoginThrottle.locked_until).where(LoginThrottle.identifier == identifier)
    )
    return until if until is not None and until > now else None


async def record_throttle_failure(
    session: AsyncSession,
    identifier: str,
    *,
    now: datetime,
    max_failures: int,
    lock_for: timedelta,
) -> FailureOutcome:
    """Count one failure in a single statement; the one that reaches the limit sets the lock.

    While locked the counter does not grow; after a lock has expired the count starts again.
    """
    table = LoginThrottle.__table__
    is_locked = (table.c.locked_until.is_not(None)) & (table.c.locked_until > now)
    lock_expired = (table.c.locked_until.is_not(None)) & (table.c.locked_until <= now)
    new_count = case(
        (is_locked, table.c.failed_count),
        (lock_expired, 1),
        else_=table.c.failed_count + 1,
    )
    new_lock = case(
        (is_locked, table.c.locked_until),
        (new_count >= max_failures, now + lock_for),
        else_=None,
    )
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    first_lock = now + lock_for if max_failures <= 1 else None
    stmt = (
        insert(table)
        .values(identifier=identifier, failed_count=1, locked_until=first_lock, last_failed_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.identifier],
            set_={"failed_count": new_count, "locked_until": new_lock, "last_failed_at": now},
        )
        .returning(table.c.failed_count, table.c.locked_until)
    )
    # Lock the existing row first so concurrent failures queue here and each sees the
    # committed count (SQLite serializes writers anyway).
    before = await session.scalar(
        select(LoginThrottle.locked_until)
        .where(LoginThrottle.identifier == identifier)
        .with_for_update()
    )
    count, until = (await session.execute(stmt)).one()
    was_locked = before is not None and before > now
    return FailureOutcome(
        count=count, locked_until=until, newly_locked=until is not None and not was_locked
    )


async def clear_throttles(session: AsyncSession, *identifiers: str) -> None:
    """Forget failures (after a successful login, a reset or an admin unlock)."""
    wanted = [i for i in identifiers if i]
    if wanted:
        await session.execute(delete(LoginThrottle).where(LoginThrottle.identifier.in_(wanted)))


async def reset_throttle_if_unlocked(session: AsyncSession, identifier: str, now: datetime) -> bool:
    """Zero the count after a good password unless a lock was set meanwhile; False if locked."""
    result = await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.identifier == identifier)
        .where((LoginThrottle.locked_until.is_(None)) | (LoginThrottle.locked_until <= now))
        .values(failed_count=0, locked_until=None)
    )
    if result.rowcount:  # type: ignore[attr-defined]
        return True
    return await throttle_locked_until(session, identifier, now) is None
