"""Which operations wait for approval, from APPROVAL_THRESHOLD and APPROVAL_OPERATIONS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from corebank.config import Settings
from corebank.core.money import parse_amount
from corebank.models.approval import ApprovalOperation

#: Operations that move money: they wait when their amount is above the currency's threshold.
MONEY_OPERATIONS = frozenset(
    {ApprovalOperation.transfer, ApprovalOperation.withdrawal, ApprovalOperation.multi_leg}
)


@dataclass(frozen=True)
class ApprovalPolicy:
    thresholds: dict[str, int]  # currency -> minor units; an amount above it waits
    operations: frozenset[ApprovalOperation]
    ttl: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> ApprovalPolicy:
        thresholds = {}
        for item in settings.approval_threshold:
            code, _, amount = item.partition(":")
            currency = code.strip().upper()
            if currency not in settings.currencies:
                raise ValueError(f"APPROVAL_THRESHOLD {item!r}: {currency} is not in CURRENCIES")
            try:
                thresholds[currency] = parse_amount(amount.strip(), currency, allow_zero=True)
            except ValueError as exc:
                raise ValueError(f"APPROVAL_THRESHOLD {item!r}: {exc}") from None
        return cls(
            thresholds=thresholds,
            operations=frozenset(ApprovalOperation(op) for op in settings.approval_operations),
            ttl=settings.approval_ttl,
        )

    @property
    def enabled(self) -> bool:
        return bool(self.thresholds)

    def needs(self, operation: ApprovalOperation, *, currency: str, amount_minor: int) -> bool:
        """Whether moving `amount_minor` of `currency` this way waits for a checker."""
        threshold = self.thresholds.get(currency)
        return operation in self.operations and threshold is not None and amount_minor > threshold

    def always(self, operation: ApprovalOperation) -> bool:
        """Whether an operation without an amount (closure, KYC override) waits, when listed."""
        return self.enabled and operation in self.operations


def person_of(email: str) -> str:
    """An e-mail address reduced to the person behind it, for the four-eyes rule: lower case,
    and the local part without a `+tag` (alice+ops@bank.example is alice@bank.example)."""
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"
