"""The event catalogue: every event type, its version and the schema of its `data`.

docs/events.md shows the same JSON schemas (a test keeps the two equal). Payloads may gain
optional fields within a version; a breaking change gets a new version number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from corebank.models.approval import ApprovalOperation

ALL_EVENTS = "*"


class EventData(BaseModel):
    """Base of every payload: unknown fields are allowed so receivers stay forward compatible."""

    model_config = ConfigDict(extra="allow")


class UserRegistered(EventData):
    user_id: int = Field(description="The new user.")
    email: str = Field(description="The user's canonical e-mail address.")


class UserLocked(EventData):
    user_id: int = Field(description="The user whose logins are locked for LOCKOUT_MINUTES.")


class UserPasswordChanged(EventData):
    user_id: int
    via: Literal["reset"] | None = Field(
        default=None, description='"reset" when set with a reset code; absent for a change.'
    )


class UserSecondFactorChanged(EventData):
    user_id: int
    change: Literal["enabled", "disabled", "reset"] = Field(
        description='"enabled" or "disabled" by the user; "reset" by staff (lost device).'
    )


class CustomerCreated(EventData):
    customer_id: int
    user_id: int | None = Field(default=None, description="The linked login, if any.")


class CustomerUpdated(EventData):
    customer_id: int
    fields: list[str] = Field(description="Names of the changed fields (values are not sent).")


KycStatus = Literal["pending", "verified", "rejected"]


class CustomerKycChanged(EventData):
    customer_id: int
    from_: KycStatus = Field(alias="from", description="The KYC status before.")
    to: KycStatus = Field(description="The KYC status now.")


class CustomerRef(EventData):
    customer_id: int


class AccountCreated(EventData):
    account_id: int
    customer_id: int
    currency: str = Field(description="ISO 4217 code.")


class AccountChanged(EventData):
    account_id: int
    changes: list[str] = Field(description="Names of changed fields (status, nickname, ...).")


class AccountClosed(EventData):
    account_id: int


class PostingData(BaseModel):
    account_id: int
    amount_minor: int = Field(description="Signed minor units: negative = money out.")


class LegData(BaseModel):
    leg: int = Field(description="The leg's number, counted from 1.")
    from_account_id: int = Field(description="The account debited.")
    to_account_id: int = Field(description="The account credited.")
    amount_minor: int = Field(description="Positive amount in the currency's minor units.")
    currency: str | None = Field(
        default=None, description="ISO 4217 code of both of the leg's accounts."
    )


class CurrencyTotalData(BaseModel):
    currency: str = Field(description="ISO 4217 code.")
    amount_minor: int = Field(description="The sum of the legs in this currency, minor units.")


class TransactionData(EventData):
    transaction_id: int = Field(description="The journal entry.")
    type: Literal["deposit", "withdrawal", "transfer", "hold_capture", "reversal", "multi_leg"]
    currency: str = Field(
        description="ISO 4217 code; of a multi-leg transaction, its first leg's currency."
    )
    amount_minor: int = Field(
        description="Positive amount in the currency's minor units; of a multi-leg "
        "transaction, the sum of its legs in `currency` (see `totals`)."
    )
    postings: list[PostingData] = Field(
        description="The entry's postings; in each currency, they sum to zero."
    )
    reverses_transaction_id: int | None = Field(
        default=None, description="For a reversal, the entry it reverses."
    )
    legs: list[LegData] | None = Field(
        default=None,
        description="A multi-leg transaction's legs, in order (each posts its debit, then its "
        "credit); for the reversal of one, its legs mirrored. Absent otherwise.",
    )
    totals: list[CurrencyTotalData] | None = Field(
        default=None,
        description="A multi-leg transaction's (or its reversal's) sum of legs per currency, in "
        "the order the currencies first come in the legs. Absent otherwise.",
    )
    metadata: dict[str, str] | None = Field(
        default=None, description="A multi-leg transaction's metadata. Absent otherwise."
    )


class HoldData(EventData):
    hold_id: int
    account_id: int
    amount_minor: int = Field(description="Amount held, in minor units.")
    captured_minor: int = Field(description="Amount captured so far, in minor units.")
    status: Literal["open", "captured", "voided", "expired"]


class HoldExpired(EventData):
    hold_id: int
    account_id: int
    amount_minor: int = Field(description="Amount released, in minor units.")


class ScaChallengeData(EventData):
    challenge_id: int
    user_id: int = Field(description="The customer who must authenticate.")
    purpose: Literal["transfer", "trusted_payee", "payment_set"]
    status: Literal["pending", "completed", "consumed"]
    expires_at: datetime
    amount: str | None = Field(description="Decimal string in `currency` (transfers).")
    currency: str | None = Field(description="ISO 4217 code (transfers).")
    source_account_id: int | None = Field(description="The debited account (transfers).")
    payee_account_id: int | None = Field(description="The account the money or trust goes to.")
    legs_digest: str | None = Field(
        default=None,
        description="A set of payments (a multi-leg transaction): SHA-256 of its legs, in order.",
    )
    legs_summary: dict[str, Any] | None = Field(
        default=None,
        description="A set of payments: `leg_count`, `totals` (per currency: `currency`, "
        "decimal `amount`) and `payee_account_ids`.",
    )


class ApprovalData(EventData):
    approval_id: int
    status: Literal["pending", "approved", "rejected", "expired"]
    operation: ApprovalOperation
    requested_by: int = Field(description="The maker.")
    subject_type: str = Field(
        description='What the operation acts on: "account", "customer" or "loan".'
    )
    subject_id: int
    amount: str | None = Field(description="Decimal string in `currency` (money movements).")
    currency: str | None = Field(description="ISO 4217 code (money movements).")
    expires_at: datetime
    decided_by: int | None = Field(description="The checker (none when it expired or waits).")
    reason: str | None = Field(description='The checker\'s reason; "expired" on expiry.')
    result: dict[str, Any] | None = Field(
        description='What the approval did, e.g. `{"transaction_id": 42}`.'
    )


class LoanData(EventData):
    loan_id: int
    customer_id: int
    status: Literal["applied", "approved", "rejected", "active", "paid_off"]
    amount: str = Field(description="The loan's amount, a decimal string in `currency`.")
    currency: str
    principal_outstanding: str = Field(description="What is still owed of the principal.")
    reason: str | None = Field(default=None, description="A decision's reason.")
    transaction_id: int | None = Field(
        default=None, description="The disbursement's or the repayment's transaction."
    )
    repayment_id: int | None = None
    allocated: dict[str, str] | None = Field(
        default=None, description="A repayment's split: `fee`, `interest`, `principal`."
    )
    days_past_due: int | None = Field(default=None, description="On `loan.overdue`.")


class EventEnvelope(BaseModel):
    """What a webhook receives: the same envelope for every event type."""

    id: str = Field(description="Unique event id (UUID); deduplicate on it.")
    type: str = Field(description="Event type, e.g. transaction.posted.")
    version: int = Field(description="Version of the `data` schema for this type.")
    occurred_at: datetime = Field(description="When the change was committed (UTC, ISO 8601).")
    data: dict[str, Any] = Field(description="The payload; its schema depends on type+version.")


@dataclass(frozen=True)
class EventSpec:
    type: str
    version: int
    data: type[EventData]
    summary: str


def _specs(*specs: tuple[str, type[EventData], str]) -> dict[str, EventSpec]:
    return {name: EventSpec(name, 1, model, summary) for name, model, summary in specs}


CATALOGUE: Mapping[str, EventSpec] = _specs(
    ("user.registered", UserRegistered, "Someone registered (self-service)."),
    ("user.locked", UserLocked, "Too many failed logins locked a user's logins."),
    ("user.password_changed", UserPasswordChanged, "A password was changed or reset."),
    (
        "user.second_factor_changed",
        UserSecondFactorChanged,
        "A user's second factor was enabled, disabled or reset.",
    ),
    ("customer.created", CustomerCreated, "Staff created a customer record."),
    ("customer.updated", CustomerUpdated, "A customer record changed."),
    ("customer.kyc_changed", CustomerKycChanged, "A customer's KYC status changed."),
    ("customer.deleted", CustomerRef, "A customer record was (soft) deleted."),
    ("customer.restored", CustomerRef, "A deleted customer record was restored."),
    ("account.created", AccountCreated, "An account was opened."),
    ("account.updated", AccountChanged, "An account's settings changed (not its status)."),
    ("account.frozen", AccountChanged, "An account was frozen: no money may leave it."),
    ("account.unfrozen", AccountChanged, "A frozen account was made active again."),
    ("account.closed", AccountClosed, "An account was closed (final)."),
    (
        "transaction.posted",
        TransactionData,
        "A deposit, withdrawal, transfer, capture or multi-leg transaction.",
    ),
    ("transaction.reversed", TransactionData, "A reversal entry was posted."),
    ("hold.created", HoldData, "Money was put on hold."),
    ("hold.captured", HoldData, "A hold was captured (a transaction.posted follows)."),
    ("hold.voided", HoldData, "A hold was released without capture."),
    ("hold.expired", HoldExpired, "A hold passed its expiry and was released."),
    (
        "sca.challenge_created",
        ScaChallengeData,
        "Money out (or a new trusted payee) needs a factor.",
    ),
    ("sca.challenge_completed", ScaChallengeData, "A challenge was passed with a code or the PIN."),
    ("sca.challenge_failed", ScaChallengeData, "A wrong code or PIN was sent for a challenge."),
    ("sca.challenge_consumed", ScaChallengeData, "An authorization code was spent by its request."),
    (
        "approval.requested",
        ApprovalData,
        "An operation above its threshold waits for a second person (its money held).",
    ),
    ("approval.approved", ApprovalData, "A checker approved: the operation was carried out."),
    ("approval.rejected", ApprovalData, "A checker rejected: nothing done, the holds voided."),
    ("approval.expired", ApprovalData, "Nobody decided in APPROVAL_TTL: the holds voided."),
    ("loan.applied", LoanData, "A loan was applied for."),
    ("loan.approved", LoanData, "Staff approved a loan application."),
    ("loan.rejected", LoanData, "Staff rejected a loan application."),
    ("loan.disbursed", LoanData, "A loan was paid out to the customer's account."),
    ("loan.repayment_received", LoanData, "A repayment was posted and allocated."),
    ("loan.overdue", LoanData, "A loan's oldest unpaid installment went past its due date."),
    ("loan.paid_off", LoanData, "A loan's principal was repaid in full."),
)

EVENT_TYPES: frozenset[str] = frozenset(CATALOGUE)


def unknown_event_types(types: Iterable[str]) -> list[str]:
    """The names in `types` that are neither in the catalogue nor the wildcard."""
    return sorted({t for t in types if t != ALL_EVENTS and t not in EVENT_TYPES})


def validate_data(event_type: str, data: Mapping[str, Any]) -> EventData:
    """Parse `data` against the type's schema (raises pydantic.ValidationError or KeyError)."""
    return CATALOGUE[event_type].data.model_validate(dict(data))


def data_schema(event_type: str) -> dict[str, Any]:
    """The JSON schema of one event type's `data`."""
    return CATALOGUE[event_type].data.model_json_schema()
