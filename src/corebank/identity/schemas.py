"""Request and response bodies of the identity endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from corebank.models.user import Role

Password = Annotated[str, Field(min_length=1, max_length=1024)]
Identifier = Annotated[str, Field(min_length=1, max_length=320)]
FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Username = Annotated[str, Field(min_length=1, max_length=64)]
Pin = Annotated[str, Field(min_length=1, max_length=16)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterRequest(Strict):
    email: EmailStr
    password: Password
    full_name: FullName
    username: Username | None = None


class LoginRequest(Strict):
    username: Identifier = Field(description="E-mail or username")
    password: Password


class RefreshRequest(Strict):
    refresh_token: Annotated[str, Field(min_length=1, max_length=4096)]


class PasswordChangeRequest(Strict):
    current_password: Password
    new_password: Password


class PasswordForgotRequest(Strict):
    email: Annotated[str, Field(min_length=1, max_length=320)]


class PasswordResetRequest(Strict):
    token: Annotated[str, Field(min_length=1, max_length=256)]
    new_password: Password


class PinRequest(Strict):
    pin: Pin
    current_password: Password


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class UserOut(BaseModel):
    """A user as clients see it: never a hash, a counter or a PIN."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    username: str | None
    full_name: str
    role: Role
    is_active: bool
    has_pin: bool
    created_at: datetime
    deleted_at: datetime | None = None


class SessionOut(BaseModel):
    id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool


class Accepted(BaseModel):
    detail: str


# --- users: self-service and administration --------------------------------------------


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
