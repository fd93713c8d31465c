"""Every query of the identity domain: users, sessions and refresh tokens, login throttles,
password-reset tokens, and the per-request session check.

Login throttles count failures per canonical identifier, atomically in SQL, so the count holds
across workers and instances; identifiers that match no user count too, so a lock reveals
nothing about who has an account.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Select,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.db import Database
from corebank.core.sql import Prepared, execute
from corebank.identity.session_cache import SessionCheck, mark_sessions, mark_users
from corebank.models.base import UTCDateTime, utcnow
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


#: A bound `now` that converts like the timestamp columns it is compared with or written to.
#: (The login statements' bound names never repeat a column of the table an UPDATE or INSERT
#: writes: SQLAlchemy reserves those names for its SET and VALUES clauses.)
_NOW = bindparam("now", type_=UTCDateTime())


@dataclass(frozen=True)
class LoginUser:
    """The columns a login needs of the user an identifier names."""

    id: int
    email: str
    username: str | None
    password_hash: str
    role: Role
    is_active: bool
    deleted_at: datetime | None

    @property
    def can_log_in(self) -> bool:
        return self.is_active and self.deleted_at is None


@dataclass(frozen=True)
class LoginLookup:
    """What a login reads before it checks the password."""

    user: LoginUser | None
    #: The latest lock that still holds on the identifier typed, the user's e-mail or username.
    locked_until: datetime | None


def _login_lookup() -> Prepared:
    """The user whose e-mail or username is `key`, outer-joined to a constant row so that an
    unknown identifier still yields one row, and the end of the lock on `key` and on the
    user's e-mail and username (the identifiers a failure counts against)."""
    key = bindparam("key")
    user = (
        select(
            User.id,
            User.email,
            User.username,
            User.password_hash,
            User.role,
            User.is_active,
            User.deleted_at,
        )
        .where(or_(User.email == key, User.username == key))
        .subquery("login_user")
    )
    lock_end = (
        select(func.max(LoginThrottle.locked_until))
        .where(
            LoginThrottle.identifier.in_([key, user.c.email, user.c.username]),
            LoginThrottle.locked_until > _NOW,
        )
        .scalar_subquery()
    )
    one_row = select(literal_column("1").label("one")).subquery("one_row")
    return Prepared(select(*user.c, lock_end).select_from(one_row.outerjoin(user, true())))


# Built once: every login runs it first, outside any transaction (on the driver).
_LOGIN_LOOKUP = _login_lookup()


async def login_lookup(db: Database, *, key: str, now: datetime) -> LoginLookup:
    """The user a login names and the lock it is under, in one round trip."""
    row = await db.fetch_row(_LOGIN_LOOKUP, {"key": key, "now": now})
    user_id, email, username, password_hash, role, is_active, deleted_at, locked_until = (
        row or (None,) * 8
    )
    if user_id is None:
        return LoginLookup(user=None, locked_until=locked_until)
    user = LoginUser(user_id, email, username, password_hash, Role(role), is_active, deleted_at)
    return LoginLookup(user=user, locked_until=locked_until)


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


@dataclass(frozen=True)
class LoginLock:
    """The user's row as it stands under the login's lock."""

    has_factor: bool
    password_hash: str
    role: Role
    is_active: bool
    deleted_at: datetime | None


_LOCK_FOR_LOGIN = Prepared(
    select(
        exists().where(TotpFactor.user_id == User.id, TotpFactor.confirmed_at.is_not(None)),
        User.password_hash,
        User.role,
        User.is_active,
        User.deleted_at,
    )
    .where(User.id == bindparam("user_id"))
    .with_for_update(of=User)
)


async def lock_for_login(session: AsyncSession, user_id: int) -> LoginLock | None:
    """Lock the user's row (concurrent logins then count each other's sessions, and a factor
    being confirmed or removed meanwhile is seen) and read it again under the lock: what
    changed while the password was checked (the password, the role, deactivation) is seen.
    None when the user is gone."""
    rows = await execute(session, _LOCK_FOR_LOGIN, {"user_id": user_id})
    if not rows:
        return None
    has_factor, password_hash, role, is_active, deleted_at = rows[0]
    return LoginLock(bool(has_factor), password_hash, Role(role), is_active, deleted_at)


_SET_PASSWORD_HASH = Prepared(
    update(User)
    .where(User.id == bindparam("user_id"))
    .values(
        password_hash=bindparam("new_hash"),
        updated_at=bindparam("touched_at", type_=UTCDateTime()),
    )
)


async def set_password_hash(session: AsyncSession, *, user_id: int, password_hash: str) -> None:
    """Store the same password's hash under new parameters (an upgrade at login)."""
    params = {"user_id": user_id, "new_hash": password_hash, "touched_at": utcnow()}
    await execute(session, _SET_PASSWORD_HASH, params)


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


_INSERT_SESSION = Prepared(
    insert(AuthSession).returning(AuthSession.id),
    column_keys=[
        "user_id",
        "created_at",
        "last_seen_at",
        "expires_at",
        "ip",
        "user_agent",
        "required_action",
    ],
)


async def insert_session(
    session: AsyncSession,
    *,
    user_id: int,
    now: datetime,
    expires_at: datetime,
    ip: str | None,
    user_agent: str | None,
    required_action: str | None,
) -> int:
    """Insert a session that starts now; its id."""
    rows = await execute(
        session,
        _INSERT_SESSION,
        {
            "user_id": user_id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": expires_at,
            "ip": ip,
            "user_agent": user_agent,
            "required_action": required_action,
        },
    )
    return int(rows[0][0])


_LIVE_SESSION_IDS = Prepared(
    select(AuthSession.id)
    .where(
        AuthSession.user_id == bindparam("user_id"),
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > _NOW,
    )
    .order_by(AuthSession.created_at, AuthSession.id)
)


async def live_session_ids(session: AsyncSession, *, user_id: int, now: datetime) -> list[int]:
    """The ids of the user's unrevoked, unexpired sessions, oldest first."""
    rows = await execute(session, _LIVE_SESSION_IDS, {"user_id": user_id, "now": now})
    return [session_id for (session_id,) in rows]


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
    revoked = list(result.scalars().all())
    mark_sessions(session.info, revoked)
    return revoked


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
    mark_users(session.info, [user_id])
    return list((await session.execute(stmt)).scalars().all())


_INSERT_REFRESH_TOKEN = Prepared(
    insert(RefreshToken), column_keys=["session_id", "token_hash", "created_at"]
)


async def add_refresh_token(
    session: AsyncSession, *, session_id: int, digest: str, now: datetime
) -> None:
    params = {"session_id": session_id, "token_hash": digest, "created_at": now}
    await execute(session, _INSERT_REFRESH_TOKEN, params)


_SPEND_REFRESH_TOKEN = Prepared(
    update(RefreshToken)
    .where(RefreshToken.token_hash == bindparam("digest"), RefreshToken.used_at.is_(None))
    .values(used_at=_NOW)
    .returning(RefreshToken.session_id)
)


async def spend_refresh_token(session: AsyncSession, *, digest: str, now: datetime) -> int | None:
    """Mark an unused refresh token used (a conditional UPDATE: concurrent callers race on
    it, one wins); its session id, or None when it was unknown or already used."""
    rows = await execute(session, _SPEND_REFRESH_TOKEN, {"digest": digest, "now": now})
    return rows[0][0] if rows else None


_REFRESH_TOKEN_USE = Prepared(
    select(RefreshToken.session_id, RefreshToken.used_at).where(
        RefreshToken.token_hash == bindparam("digest")
    )
)


async def refresh_token_use(
    session: AsyncSession, digest: str
) -> tuple[int, datetime | None] | None:
    """The session of a refresh token and when it was used, or None for an unknown token."""
    rows = await execute(session, _REFRESH_TOKEN_USE, {"digest": digest})
    return (rows[0][0], rows[0][1]) if rows else None


@dataclass(frozen=True)
class RenewedSession:
    role: str
    expires_at: datetime


_RENEW_SESSION = Prepared(
    update(AuthSession)
    .where(
        AuthSession.id == bindparam("session_id"),
        AuthSession.user_id == bindparam("token_user_id"),
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > _NOW,
        exists().where(
            User.id == bindparam("token_user_id"),
            User.is_active.is_(True),
            User.deleted_at.is_(None),
        ),
    )
    .values(last_seen_at=_NOW)
    .returning(
        # by the bound id, not correlated: SQLite renders RETURNING's columns unqualified
        select(User.role).where(User.id == bindparam("token_user_id")).scalar_subquery(),
        AuthSession.expires_at,
    )
)


async def renew_session(
    session: AsyncSession, *, session_id: int, user_id: int, now: datetime
) -> RenewedSession | None:
    """Record the use of a session whose refresh token was just spent, if it may still have
    tokens: it is `user_id`'s, not revoked, not expired, and the user is active and not
    deleted. The user's role and the session's end, or None when refused (nothing changed)."""
    params = {"session_id": session_id, "token_user_id": user_id, "now": now}
    rows = await execute(session, _RENEW_SESSION, params)
    return RenewedSession(role=rows[0][0], expires_at=rows[0][1]) if rows else None


# --- the per-request session check ---------------------------------------------------------


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
    mark_users(session.info, [user_id])
    await session.execute(
        update(AuthSession)
        .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        .values(required_action=action)
    )


async def clear_required_action(session: AsyncSession, *, user_id: int, action: str) -> None:
    """Lift `action` from every session of the user (it has been done)."""
    mark_users(session.info, [user_id])
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


_INSERT_MFA_TICKET = Prepared(
    insert(MfaTicket), column_keys=["user_id", "token_hash", "created_at", "expires_at"]
)


async def add_mfa_ticket(
    session: AsyncSession, *, user_id: int, digest: str, now: datetime, expires_at: datetime
) -> None:
    params = {"user_id": user_id, "token_hash": digest, "created_at": now, "expires_at": expires_at}
    await execute(session, _INSERT_MFA_TICKET, params)


@dataclass
class CodeCounters:
    """A user's count of wrong second-factor codes and the end of their code lock, as the code
    rules update them (`save_code_counters` writes them back). Named as User's columns, so the
    rules take this and a loaded User alike."""

    id: int
    mfa_failed_count: int
    mfa_locked_until: datetime | None


@dataclass
class TotpUse:
    """A confirmed TOTP factor's sealed secret and last accepted step, as the code rules update
    them (`save_totp_use` writes them back). Named as TotpFactor's columns."""

    id: int
    key_id: str
    secret_ciphertext: str
    last_used_step: int | None


@dataclass(frozen=True)
class MfaLogin:
    """An MFA ticket, its user's login state and confirmed factor, read under row locks."""

    ticket_id: int
    used_at: datetime | None
    expires_at: datetime
    role: Role
    can_log_in: bool
    counters: CodeCounters
    totp: TotpUse | None


# The ticket's and the user's rows locked in one statement: parallel code attempts queue on
# them, so each is counted.
_MFA_LOGIN = Prepared(
    select(
        MfaTicket.id,
        MfaTicket.used_at,
        MfaTicket.expires_at,
        User.id,
        User.role,
        User.is_active,
        User.deleted_at,
        User.mfa_failed_count,
        User.mfa_locked_until,
        TotpFactor.id,
        TotpFactor.key_id,
        TotpFactor.secret_ciphertext,
        TotpFactor.last_used_step,
    )
    .select_from(MfaTicket)
    .join(User, User.id == MfaTicket.user_id)
    .outerjoin(TotpFactor, (TotpFactor.user_id == User.id) & TotpFactor.confirmed_at.is_not(None))
    .where(MfaTicket.token_hash == bindparam("digest"))
    .with_for_update(of=[MfaTicket, User])
)


async def mfa_login(session: AsyncSession, digest: str) -> MfaLogin | None:
    """The ticket with this digest and what its code step needs, or None if there is none."""
    rows = await execute(session, _MFA_LOGIN, {"digest": digest})
    if not rows:
        return None
    ticket_id, used_at, expires_at, user_id, role, is_active, deleted_at, *rest = rows[0]
    failed_count, locked_until, factor_id, key_id, ciphertext, last_step = rest
    totp = None if factor_id is None else TotpUse(factor_id, key_id, ciphertext, last_step)
    return MfaLogin(
        ticket_id=ticket_id,
        used_at=used_at,
        expires_at=expires_at,
        role=Role(role),
        can_log_in=bool(is_active) and deleted_at is None,
        counters=CodeCounters(user_id, failed_count, locked_until),
        totp=totp,
    )


_SPEND_MFA_TICKET = Prepared(
    update(MfaTicket).where(MfaTicket.id == bindparam("ticket_id")).values(used_at=_NOW)
)


async def spend_mfa_ticket(session: AsyncSession, *, ticket_id: int, now: datetime) -> None:
    await execute(session, _SPEND_MFA_TICKET, {"ticket_id": ticket_id, "now": now})


_SAVE_CODE_COUNTERS = Prepared(
    update(User)
    .where(User.id == bindparam("user_id"))
    .values(
        mfa_failed_count=bindparam("failed_count"),
        mfa_locked_until=bindparam("locked_until", type_=UTCDateTime()),
        updated_at=bindparam("touched_at", type_=UTCDateTime()),
    )
)


async def save_code_counters(session: AsyncSession, counters: CodeCounters) -> None:
    params = {
        "user_id": counters.id,
        "failed_count": counters.mfa_failed_count,
        "locked_until": counters.mfa_locked_until,
        "touched_at": utcnow(),
    }
    await execute(session, _SAVE_CODE_COUNTERS, params)


_SAVE_TOTP_USE = Prepared(
    update(TotpFactor)
    .where(TotpFactor.id == bindparam("factor_id"))
    .values(
        key_id=bindparam("new_key_id"),
        secret_ciphertext=bindparam("new_ciphertext"),
        last_used_step=bindparam("step"),
    )
)


async def save_totp_use(session: AsyncSession, totp: TotpUse) -> None:
    params = {
        "factor_id": totp.id,
        "new_key_id": totp.key_id,
        "new_ciphertext": totp.secret_ciphertext,
        "step": totp.last_used_step,
    }
    await execute(session, _SAVE_TOTP_USE, params)


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


def _throttle_failure(upsert: Callable[[Any], Any]) -> Prepared:
    """Count one failure: insert the identifier's row, or update it in the same statement.

    While locked the counter does not grow; after a lock has expired the count starts again;
    the failure that reaches `max_failures` sets the lock until `lock_until`.
    """
    table = LoginThrottle.__table__
    is_locked = (table.c.locked_until.is_not(None)) & (table.c.locked_until > _NOW)
    lock_expired = (table.c.locked_until.is_not(None)) & (table.c.locked_until <= _NOW)
    new_count = case(
        (is_locked, table.c.failed_count),
        (lock_expired, 1),
        else_=table.c.failed_count + 1,
    )
    new_lock = case(
        (is_locked, table.c.locked_until),
        (new_count >= bindparam("max_failures"), bindparam("lock_until", type_=UTCDateTime())),
        else_=None,
    )
    return Prepared(
        upsert(table)
        .values(
            identifier=bindparam("login_key"),
            failed_count=1,
            locked_until=bindparam("first_lock", type_=UTCDateTime()),
            last_failed_at=_NOW,
        )
        .on_conflict_do_update(
            index_elements=[table.c.identifier],
            set_={"failed_count": new_count, "locked_until": new_lock, "last_failed_at": _NOW},
        )
        .returning(table.c.failed_count, table.c.locked_until)
    )


#: The upsert per backend (each dialect has its own ON CONFLICT construct).
_THROTTLE_FAILURE = {
    "postgresql": _throttle_failure(pg_insert),
    "sqlite": _throttle_failure(sqlite_insert),
}
_THROTTLE_ROW_LOCK = Prepared(
    select(LoginThrottle.locked_until)
    .where(LoginThrottle.identifier == bindparam("identifier"))
    .with_for_update()
)


async def record_throttle_failure(
    session: AsyncSession,
    identifier: str,
    *,
    now: datetime,
    max_failures: int,
    lock_for: timedelta,
) -> FailureOutcome:
    """Count one failure in a single statement; the one that reaches the limit sets the lock."""
    # Lock the existing row first so concurrent failures queue here and each sees the
    # committed count (SQLite serializes writers anyway).
    locked = await execute(session, _THROTTLE_ROW_LOCK, {"identifier": identifier})
    before = locked[0][0] if locked else None
    params = {
        "login_key": identifier,
        "now": now,
        "max_failures": max_failures,
        "lock_until": now + lock_for,
        "first_lock": now + lock_for if max_failures <= 1 else None,
    }
    [(count, until)] = await execute(session, _THROTTLE_FAILURE[session.bind.dialect.name], params)
    was_locked = before is not None and before > now
    return FailureOutcome(
        count=count, locked_until=until, newly_locked=until is not None and not was_locked
    )


async def clear_throttles(session: AsyncSession, *identifiers: str) -> None:
    """Forget failures (after a successful login, a reset or an admin unlock)."""
    wanted = [i for i in identifiers if i]
    if wanted:
        await session.execute(delete(LoginThrottle).where(LoginThrottle.identifier.in_(wanted)))


_LOCKED_NOW = LoginThrottle.locked_until > _NOW
# A locked row keeps its count and lock (and is what RETURNING reports); any other is zeroed.
_THROTTLE_RESET = Prepared(
    update(LoginThrottle)
    .where(LoginThrottle.identifier == bindparam("login_key"))
    .values(
        failed_count=case((_LOCKED_NOW, LoginThrottle.failed_count), else_=0),
        locked_until=case((_LOCKED_NOW, LoginThrottle.locked_until), else_=None),
    )
    .returning(LoginThrottle.locked_until)
)


async def reset_throttle_if_unlocked(session: AsyncSession, identifier: str, now: datetime) -> bool:
    """Zero the count after a good password unless a lock was set meanwhile; False if locked.

    One statement whether or not the identifier has a row (most have none)."""
    rows = await execute(session, _THROTTLE_RESET, {"login_key": identifier, "now": now})
    return not rows or rows[0][0] is None
