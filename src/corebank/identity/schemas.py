"""Request and response bodies of the identity endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints, model_validator

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


class MfaTicketOut(BaseModel):
    """The password was right and the user has a second factor: send the ticket and a code
    to POST /api/v1/auth/login/mfa within `expires_in` seconds."""

    mfa_required: Literal[True] = True
    mfa_ticket: str
    expires_in: int


TotpCode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{6}$")]
RecoveryCodeText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=8, max_length=24)
]
#: A six-digit TOTP code or a recovery code.
AnyCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=6, max_length=24)]


class LoginMfaRequest(Strict):
    mfa_ticket: Annotated[str, Field(min_length=1, max_length=128)]
    code: TotpCode | None = None
    recovery_code: RecoveryCodeText | None = None

    @model_validator(mode="after")
    def _one_code(self) -> LoginMfaRequest:
        if (self.code is None) == (self.recovery_code is None):
            raise ValueError("send exactly one of code and recovery_code")
        return self


class TotpEnrolmentOut(BaseModel):
    """Shown once: add it to an authenticator app (scan the QR code or type the secret)."""

    secret: str = Field(description="Base32 secret, for typing into an authenticator app")
    otpauth_uri: str = Field(description="otpauth://totp/... (what the QR code holds)")
    qr_svg: str = Field(description="The URI as an SVG QR code")


class TotpConfirmRequest(Strict):
    code: TotpCode
    password: Password = Field(
        description="The account password: an access token alone cannot add a factor"
    )


class RecoveryCodesOut(BaseModel):
    """Shown once: each code logs in once instead of a TOTP code. Store them safely."""

    recovery_codes: list[str]


class TotpDisableRequest(Strict):
    password: Password
    code: AnyCode = Field(description="A current TOTP code or an unused recovery code")


class MfaStatusOut(BaseModel):
    enabled: bool
    recovery_codes_left: int
    required: bool = Field(description="This session may do nothing but enrol a second factor")


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
