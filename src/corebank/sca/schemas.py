"""Bodies of the strong-authentication endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from corebank.core.api import MAX_ID

Factor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=24)]


class ChallengeOut(BaseModel):
    """A challenge and exactly what it covers."""

    id: int
    purpose: str = Field(description='"transfer" or "trusted_payee"')
    status: str = Field(description="pending, completed or consumed")
    expires_at: datetime
    amount: str | None = Field(description="Decimal string in `currency` (transfers)")
    currency: str | None
    source_account_id: int | None
    payee_account_id: int | None


class ChallengeCompletion(BaseModel):
    """Exactly one of `code` (a TOTP code or a recovery code) and `pin`."""

    model_config = ConfigDict(extra="forbid")

    code: Factor | None = None
    pin: Factor | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ChallengeCompletion:
        if (self.code is None) == (self.pin is None):
            raise ValueError("send exactly one of code and pin")
        return self


class AuthorizationOut(BaseModel):
    """Send `authorization_code` in the X-SCA-Authorization header of the retried request,
    unchanged, before `expires_at`; it works once, for exactly the challenge's terms."""

    authorization_code: str
    header: str = "X-SCA-Authorization"
    expires_at: datetime


class TrustedPayeeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account_id: int = Field(ge=1, le=MAX_ID)


class TrustedPayeeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    account_id: int
    created_at: datetime
