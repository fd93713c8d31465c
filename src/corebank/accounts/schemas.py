"""Request and response bodies of the account endpoints."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from corebank.core.api import MAX_ID
from corebank.core.money import AmountStr, format_amount

if TYPE_CHECKING:
    from corebank.accounts.repository import AccountRow

Currency = Annotated[
    str,
    StringConstraints(strict=True, pattern=r"^[A-Z]{3}$"),
    Field(examples=["USD"], description="ISO 4217 code, one of the bank's currencies"),
]
Nickname = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class OpenableType(StrEnum):
    checking = "checking"
    savings = "savings"


class SettableStatus(StrEnum):
    active = "active"
    frozen = "frozen"


class AccountCreate(BaseModel):
    """Open an account. Staff name the customer; a customer omits `customer_id` (their own)."""

    model_config = ConfigDict(extra="forbid")

    customer_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    type: OpenableType
    currency: Currency
    nickname: Nickname | None = None


class AccountUpdate(BaseModel):
    """Change an account: customers the nickname; staff also status and overdraft limit."""

    model_config = ConfigDict(extra="forbid")

    nickname: Nickname | None = None
    status: SettableStatus | None = None
    overdraft_limit: AmountStr | None = Field(
        default=None, description="Non-negative decimal string in the account's currency"
    )


class AccountOut(BaseModel):
    """An account as its owner and staff see it; money as decimal strings."""

    id: int
    number: str
    customer_id: int | None
    type: str
    currency: str
    status: str
    nickname: str | None
    balance: str = Field(description="Posted balance")
    available_balance: str = Field(description="Balance minus open holds")
    overdraft_limit: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, account: AccountRow) -> AccountOut:
        currency = account.currency
        return cls(
            id=account.id,
            number=account.number,
            customer_id=account.customer_id,
            type=account.type,
            currency=currency,
            status=account.status,
            nickname=account.nickname,
            balance=format_amount(account.balance_minor, currency),
            available_balance=format_amount(account.available_minor, currency),
            overdraft_limit=format_amount(account.overdraft_limit_minor, currency),
            created_at=account.created_at,
            updated_at=account.updated_at,
            closed_at=account.closed_at,
        )
