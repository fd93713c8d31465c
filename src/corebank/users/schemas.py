"""Bodies of the user endpoints."""

from __future__ import annotations

from pydantic import EmailStr

from corebank.auth.schemas import FullName, Password, Pin, Strict, Username
from corebank.models.user import Role


class ProfileUpdate(Strict):
    full_name: FullName | None = None
    username: Username | None = None


class UserCreate(Strict):
    email: EmailStr
    password: Password
    full_name: FullName
    username: Username | None = None
    role: Role = Role.customer


class UserAdminUpdate(Strict):
    role: Role | None = None
    is_active: bool | None = None
    full_name: FullName | None = None


class PinSet(Strict):
    pin: Pin
    current_password: Password
