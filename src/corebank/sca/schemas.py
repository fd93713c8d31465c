"""Bodies of the strong-authentication endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from corebank.core.api import MAX_ID

Factor = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=24)]


class PaymentSetTotal(BaseModel):
    """One currency's total in a set of payments."""

    currency: str
    amount: str = Field(description="Decimal string: the sum of the set's legs in `currency`")


class PaymentSetSummary(BaseModel):
    """What a challenge for a set of payments covers, to read; `legs_digest` binds the legs."""

    leg_count: int
    totals: list[PaymentSetTotal] = Field(description="Per currency, in the legs' order")
    payee_account_ids: list[int] = Field(description="Every account the set pays, once each")


class ChallengeOut(BaseModel):
    """A challenge and exactly what it covers."""

    id: int
    purpose: str = Field(
        description='"transfer", "trusted_payee" or "payment_set" (a multi-leg transaction)'
    )
    status: str = Field(description="pending, completed or consumed")
    expires_at: datetime
    amount: str | None = Field(description="Decimal string in `currency` (transfers)")
    currency: str | None
    source_account_id: int | None
    payee_account_id: int | None
    legs_digest: str | None = Field(
        default=None,
        description="A set of payments: SHA-256 (hex) of its legs, in order; the code covers "
        "exactly these legs",
    )
    legs_summary: PaymentSetSummary | None = Field(
        default=None, description="A set of payments: its leg count, totals and payees"
    )


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
