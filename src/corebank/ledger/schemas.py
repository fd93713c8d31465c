"""Request and response bodies of the ledger endpoints. Money is a decimal string."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from corebank.core.api import MAX_ID
from corebank.core.money import PositiveAmountStr

Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]
MAX_HOLD_SECONDS = 30 * 24 * 3600
MIN_LEGS, MAX_LEGS = 2, 64
MAX_METADATA_KEYS = 16
MAX_METADATA_KEY_LENGTH = 64
MAX_METADATA_VALUE_LENGTH = 256
MAX_METADATA_BYTES = 2048
MetadataKey = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=MAX_METADATA_KEY_LENGTH, pattern=r"^[A-Za-z0-9_.:-]+$"
    ),
]
#: Printable text: no control characters (NUL included, which PostgreSQL's text refuses).
MetadataValue = Annotated[
    str,
    Field(strict=True, max_length=MAX_METADATA_VALUE_LENGTH, pattern=r"^[^\x00-\x1f\x7f]*$"),
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DepositIn(_Strict):
    amount: PositiveAmountStr
    description: Description | None = None


class WithdrawalIn(_Strict):
    amount: PositiveAmountStr
    description: Description | None = None


class TransferIn(_Strict):
    """A transfer to an account named by id or by number (exactly one of the two)."""

    from_account_id: int = Field(ge=1, le=MAX_ID)
    to_account_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    to_account_number: Annotated[str, StringConstraints(max_length=64)] | None = None
    amount: PositiveAmountStr
    description: Description | None = None

    @model_validator(mode="after")
    def _one_destination(self) -> TransferIn:
        if (self.to_account_id is None) == (self.to_account_number is None):
            raise ValueError("give exactly one of to_account_id and to_account_number")
        return self


class LegIn(_Strict):
    """One leg of a multi-leg transaction: money from one account to another."""

    from_account_id: int = Field(ge=1, le=MAX_ID, description="The account debited")
    to_account_id: int = Field(ge=1, le=MAX_ID, description="The account credited")
    amount: PositiveAmountStr


class TransactionIn(_Strict):
    """Several legs posted as one journal entry: all of them, or none."""

    description: Description | None = None
    metadata: dict[MetadataKey, MetadataValue] = Field(
        default_factory=dict,
        max_length=MAX_METADATA_KEYS,
        description=f"Up to {MAX_METADATA_KEYS} keys (letters, digits, `_.:-`, at most "
        f"{MAX_METADATA_KEY_LENGTH} characters) with string values of at most "
        f"{MAX_METADATA_VALUE_LENGTH} characters; at most {MAX_METADATA_BYTES} bytes as JSON",
        examples=[{"invoice": "INV-2026-0042"}],
    )
    legs: list[LegIn] = Field(
        min_length=MIN_LEGS,
        max_length=MAX_LEGS,
        description=f"{MIN_LEGS} to {MAX_LEGS} legs; each leg's two accounts hold one "
        "currency, and the legs may be in several currencies (each balances on its own); "
        "refusals name a leg by its number, counted from 1",
    )

    @field_validator("metadata")
    @classmethod
    def _metadata_size(cls, metadata: dict[str, str]) -> dict[str, str]:
        if len(orjson.dumps(metadata)) > MAX_METADATA_BYTES:
            raise ValueError(f"metadata is larger than {MAX_METADATA_BYTES} bytes as JSON")
        return metadata


class HoldIn(_Strict):
    amount: PositiveAmountStr
    description: Description | None = None
    expires_in_seconds: int | None = Field(
        default=None,
        ge=1,
        le=MAX_HOLD_SECONDS,
        description="Seconds until the hold expires and releases its funds (default 7 days)",
    )


class CaptureIn(_Strict):
    amount: PositiveAmountStr | None = Field(
        default=None, description="At most the held amount; omitted = all of it"
    )


class ReverseIn(_Strict):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class PostingOut(BaseModel):
    account_id: int
    amount: str = Field(
        description="Signed, in the account's currency: positive credits the account, "
        "negative debits it"
    )
    balance_after: str | None = Field(
        default=None, description="The account's balance after this posting (if yours to see)"
    )


class LegOut(BaseModel):
    leg: int = Field(description="The leg's number, counted from 1")
    from_account_id: int
    to_account_id: int
    amount: str
    currency: str = Field(description="The currency of both of the leg's accounts")


class CurrencyTotal(BaseModel):
    currency: str
    amount: str = Field(description="The sum of the legs in this currency")


class AccountBalance(BaseModel):
    account_id: int
    balance: str
    available_balance: str


class TransactionOut(BaseModel):
    """A journal entry: its postings sum to zero in each currency."""

    id: int
    type: str
    status: str = Field(description="posted, or reversed once a reversal exists")
    amount: str = Field(
        description="The amount moved; of a multi-leg transaction in several currencies, the "
        "sum of the legs in `currency` (see `totals`)"
    )
    currency: str = Field(
        description="The transaction's currency; of a multi-leg transaction, its first leg's"
    )
    description: str | None
    reverses_transaction_id: int | None = None
    reversed_by_transaction_id: int | None = None
    legs: list[LegOut] | None = Field(
        default=None,
        description="A multi-leg transaction's legs (and its reversal's, mirrored); a "
        "customer sees only the legs that touch their accounts",
    )
    totals: list[CurrencyTotal] | None = Field(
        default=None,
        description="A multi-leg transaction's (and its reversal's) sum of legs per currency, "
        "in the order the currencies first come in the legs; `amount` and `currency` are the "
        "first of them",
    )
    metadata: dict[str, str] | None = Field(
        default=None,
        description="A multi-leg transaction's metadata (shown to staff and to its creator)",
    )
    postings: list[PostingOut]
    created_at: datetime
    correlation_id: str | None


class PostedTransactionOut(TransactionOut):
    """A transaction just posted, with the resulting balances of the accounts involved."""

    balances: list[AccountBalance]


class HoldOut(BaseModel):
    id: int
    account_id: int
    amount: str
    captured_amount: str
    currency: str
    status: str
    description: str | None
    expires_at: datetime | None
    transaction_id: int | None = Field(description="The capture's transaction")
    created_at: datetime
    resolved_at: datetime | None


class HoldCaptureOut(BaseModel):
    hold: HoldOut
    transaction: PostedTransactionOut


class AccountTransactionOut(BaseModel):
    """One line of an account's history: the transaction as seen from that account."""

    id: int = Field(description="Transaction id")
    type: str
    status: str
    amount: str = Field(description="Signed amount on this account")
    currency: str
    description: str | None
    balance_after: str
    created_at: datetime
    correlation_id: str | None


class BalanceOut(BaseModel):
    account_id: int
    currency: str
    at: datetime
    balance: str


class StatementLine(BaseModel):
    transaction_id: int
    type: str
    description: str | None
    amount: str
    balance: str
    created_at: datetime


class StatementOut(BaseModel):
    account_id: int
    number: str
    currency: str
    period_start: datetime = Field(description="Inclusive")
    period_end: datetime = Field(description="Exclusive")
    opening_balance: str
    closing_balance: str
    total_credits: str
    total_debits: str
    lines: list[StatementLine]
