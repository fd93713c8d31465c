"""User endpoints: the caller's profile and PIN; administration of all users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from corebank.core.api import API_PREFIX, MAX_ID
from corebank.core.deps import CursorCodecDep, PageDep
from corebank.core.pagination import Page
from corebank.identity import recovery
from corebank.identity import service as auth_service
from corebank.identity import users as service
from corebank.identity.deps import (
    AdminPrincipal,
    AuthDep,
    CurrentPrincipal,
    EnrollingPrincipal,
    require_role,
)
from corebank.identity.errors import UserNotFound
from corebank.identity.principal import Principal
from corebank.identity.schemas import PinSet, ProfileUpdate, UserAdminUpdate, UserCreate, UserOut
from corebank.models.user import Role

router = APIRouter(prefix=f"{API_PREFIX}/users", tags=["users"])

ERRORS = {
    401: {"description": "Not authenticated"},
    403: {"description": "Role not allowed"},
    404: {"description": "No such user"},
    422: {"description": "Validation failed"},
}

StaffReader = Annotated[Principal, Depends(require_role(Role.staff, Role.admin))]
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/me", summary="My profile", response_model=UserOut, responses=ERRORS)
async def read_me(principal: EnrollingPrincipal, auth: AuthDep) -> UserOut:
    """The caller's own user record."""
    return UserOut.model_validate(await service.get_user(auth, user_id=principal.user.id))


@router.patch("/me", summary="Update my profile", response_model=UserOut, responses=ERRORS)
async def update_me(body: ProfileUpdate, principal: CurrentPrincipal, auth: AuthDep) -> UserOut:
    """Change the caller's full name or username (nothing else)."""
    user = await service.update_profile(
        auth,
        actor_id=principal.user.id,
        user_id=principal.user.id,
        changes=body.model_dump(exclude_unset=True, exclude_none=True),
    )
    return UserOut.model_validate(user)


@router.put("/me/pin", summary="Set my transaction PIN", status_code=204, responses=ERRORS)
async def set_pin(body: PinSet, principal: CurrentPrincipal, auth: AuthDep) -> Response:
    """Set or replace the 4-6 digit PIN required for money out (the password confirms it)."""
    await recovery.set_pin(
        auth, user_id=principal.user.id, pin=body.pin, current_password=body.current_password
    )
    return Response(status_code=204)


@router.post(
    "",
    summary="Create a user",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses={**ERRORS, 409: {"description": "E-mail or username taken"}},
)
async def create_user(body: UserCreate, principal: AdminPrincipal, auth: AuthDep) -> UserOut:
    """Create a customer, staff or admin user (admins only)."""
    user = await auth_service.create_user(
        auth,
        email=body.email,
        password=body.password,
        full_name=body.full_name,
        username=body.username,
        role=body.role,
        actor_id=principal.user.id,
    )
    return UserOut.model_validate(user)


@router.get("", summary="List users", response_model=Page[UserOut], responses=ERRORS)
async def list_users(
    principal: StaffReader,
    auth: AuthDep,
    page: PageDep,
    codec: CursorCodecDep,
    role: Role | None = None,
    is_active: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of e-mail/name")] = None,
) -> Page[UserOut]:
    """Users, newest first (staff and admins)."""
    rows, next_cursor = await service.list_users(
        auth, codec=codec, params=page, role=role, is_active=is_active, q=q
    )
    return Page[UserOut](items=[UserOut.model_validate(u) for u in rows], next_cursor=next_cursor)


@router.get("/{user_id}", summary="Read a user", response_model=UserOut, responses=ERRORS)
async def read_user(user_id: UserId, principal: CurrentPrincipal, auth: AuthDep) -> UserOut:
    """A user record: staff and admins read any; a customer only their own (else 404)."""
    if not principal.is_staff and principal.user.id != user_id:
        raise UserNotFound()
    return UserOut.model_validate(await service.get_user(auth, user_id=user_id))


@router.patch("/{user_id}", summary="Update a user", response_model=UserOut, responses=ERRORS)
async def update_user(
    user_id: UserId, body: UserAdminUpdate, principal: AdminPrincipal, auth: AuthDep
) -> UserOut:
    """Change a user's role, active flag or name (admins only); deactivation ends sessions."""
    user = await service.update_profile(
        auth,
        actor_id=principal.user.id,
        user_id=user_id,
        changes=body.model_dump(exclude_unset=True, exclude_none=True),
    )
    return UserOut.model_validate(user)


@router.delete("/{user_id}", summary="Delete a user", status_code=204, responses=ERRORS)
async def delete_user(user_id: UserId, principal: AdminPrincipal, auth: AuthDep) -> Response:
    """Soft delete: sessions end, login stops, the e-mail stays taken (admins only)."""
    await service.delete_user(auth, actor_id=principal.user.id, user_id=user_id)
    return Response(status_code=204)


@router.post(
    "/{user_id}/restore",
    summary="Restore a user",
    response_model=UserOut,
    responses={**ERRORS, 409: {"description": "Not deleted"}},
)
async def restore_user(user_id: UserId, principal: AdminPrincipal, auth: AuthDep) -> UserOut:
    """Undo a soft delete (admins only)."""
    return UserOut.model_validate(
        await service.restore_user(auth, actor_id=principal.user.id, user_id=user_id)
    )


@router.post("/{user_id}/unlock", summary="Unlock a user", status_code=204, responses=ERRORS)
async def unlock_user(user_id: UserId, principal: AdminPrincipal, auth: AuthDep) -> Response:
    """Clear the login lockout and PIN block of a user (admins only)."""
    await service.unlock_user(auth, actor_id=principal.user.id, user_id=user_id)
    return Response(status_code=204)
