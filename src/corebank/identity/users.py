"""User self-service and administration."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from corebank.core import audit, metrics
from corebank.core.errors import Conflict, ValidationFailed
from corebank.core.pagination import CursorCodec, PageParams, keyset_page
from corebank.identity import repository
from corebank.identity.context import AuthContext
from corebank.identity.errors import UserNotFound, duplicate_user
from corebank.identity.service import canonical_username
from corebank.models.user import Role, User

USER_FIELDS = ("email", "username", "full_name", "role", "is_active")


def snapshot(user: User) -> dict[str, Any]:
    """The audited view of a user (no secrets)."""
    return {field: getattr(user, field) for field in USER_FIELDS} | {
        "deleted_at": user.deleted_at.isoformat() if user.deleted_at else None
    }


async def get_user(ctx: AuthContext, *, user_id: int) -> User:
    async with ctx.db.read() as session:
        user = await repository.by_id(session, user_id)
    if user is None:
        raise UserNotFound()
    return user


async def update_profile(
    ctx: AuthContext, *, actor_id: int, user_id: int, changes: dict[str, Any]
) -> User:
    """Apply `changes` (already authorized fields only); audit the before and after."""
    if "username" in changes:
        changes["username"] = canonical_username(changes["username"])
    try:
        async with ctx.db.transaction() as session:
            user = await repository.by_id(session, user_id, for_update=True)
            if user is None:
                raise UserNotFound()
            if changes.get("username"):
                clash = await repository.email_or_username_taken(
                    session, email=None, username=changes["username"], exclude_id=user_id
                )
                if clash:
                    raise duplicate_user(clash)
            before = snapshot(user)
            for field, value in changes.items():
                setattr(user, field, value)
            await _revoke_if_disabled(ctx, session, user, before)
            after = snapshot(user)
            _audit_changes(session, actor_id=actor_id, user=user, before=before, after=after)
    except IntegrityError:
        raise duplicate_user("username") from None
    return user


async def _revoke_if_disabled(
    ctx: AuthContext, session: Any, user: User, before: dict[str, Any]
) -> None:
    if before["is_active"] and not user.is_active:
        await repository.revoke_user_sessions(
            session, user_id=user.id, reason="deactivated", now=ctx.clock.now()
        )


def _audit_changes(
    session: Any, *, actor_id: int, user: User, before: dict[str, Any], after: dict[str, Any]
) -> None:
    changed = {k for k in after if before.get(k) != after.get(k)}
    if not changed:
        return
    audit.record(
        session,
        "user.updated",
        actor_id=actor_id,
        target_type="user",
        target_id=user.id,
        before={k: before[k] for k in changed},
        after={k: after[k] for k in changed},
    )
    if "role" in changed:
        audit.record(
            session,
            "user.role_changed",
            actor_id=actor_id,
            target_type="user",
            target_id=user.id,
            before={"role": before["role"]},
            after={"role": after["role"]},
        )


async def list_users(
    ctx: AuthContext,
    *,
    codec: CursorCodec,
    params: PageParams,
    role: Role | None,
    is_active: bool | None,
    q: str | None,
) -> tuple[list[User], str | None]:
    async with ctx.db.read() as session:
        return await keyset_page(
            session,
            repository.listing(role=role, is_active=is_active, q=q),
            id_column=User.id,
            params=params,
            codec=codec,
            scope="users",
        )


async def delete_user(ctx: AuthContext, *, actor_id: int, user_id: int) -> None:
    """Soft delete: the user can no longer log in, sessions end, the e-mail stays taken."""
    if actor_id == user_id:
        raise ValidationFailed("Admins cannot delete themselves.", type="cannot-delete-self")
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        user = await repository.by_id(session, user_id, for_update=True)
        if user is None or user.deleted_at is not None:
            raise UserNotFound()
        user.deleted_at = now
        revoked = await repository.revoke_user_sessions(
            session, user_id=user_id, reason="deleted", now=now
        )
        audit.record(
            session,
            "user.deleted",
            actor_id=actor_id,
            target_type="user",
            target_id=user_id,
            after={"revoked_sessions": revoked},
        )


async def restore_user(ctx: AuthContext, *, actor_id: int, user_id: int) -> User:
    async with ctx.db.transaction() as session:
        user = await repository.by_id(session, user_id, for_update=True)
        if user is None:
            raise UserNotFound()
        if user.deleted_at is None:
            raise Conflict("The user is not deleted.", type="user-not-deleted")
        user.deleted_at = None
        audit.record(
            session, "user.restored", actor_id=actor_id, target_type="user", target_id=user_id
        )
    return user


async def unlock_user(ctx: AuthContext, *, actor_id: int, user_id: int) -> None:
    """Clear the login lockout of the user's identifiers and their PIN block."""
    async with ctx.db.transaction() as session:
        user = await repository.by_id(session, user_id, for_update=True)
        if user is None:
            raise UserNotFound()
        await repository.clear_throttles(session, user.email, user.username or "")
        user.pin_failed_count, user.pin_locked_until = 0, None
        audit.record(
            session, "user.unlocked", actor_id=actor_id, target_type="user", target_id=user_id
        )
    metrics.UNLOCKS.inc()
