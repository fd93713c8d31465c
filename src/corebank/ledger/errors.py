"""Refusals of the ledger rules. `replayable` ones are stored for an Idempotency-Key."""

from __future__ import annotations

from typing import ClassVar

from corebank.core.errors import BadRequest, Conflict, NotFound, ValidationFailed


class InsufficientFunds(ValidationFailed):
    replayable: ClassVar[bool] = True
    type, title = "insufficient-funds", "Insufficient funds"


class CurrencyMismatch(ValidationFailed):
    replayable: ClassVar[bool] = True
    type, title = "currency-mismatch", "Currency mismatch"


class SameAccount(ValidationFailed):
    replayable: ClassVar[bool] = True
    type, title = "same-account", "Same account"


class HoldNotFound(NotFound):
    type, title = "hold-not-found", "Hold not found"


class HoldNotOpen(Conflict):
    replayable: ClassVar[bool] = True
    type, title = "hold-not-open", "Hold not open"


class HoldReserved(Conflict):
    """A hold that reserves a pending approval request's money: only its decision ends it."""

    replayable: ClassVar[bool] = True
    type, title = "hold-reserved-for-approval", "Hold reserved for an approval request"


class ApprovalRequired(ValidationFailed):
    replayable: ClassVar[bool] = True
    type, title = "approval-required", "Needs a second person"


class CaptureExceedsHold(ValidationFailed):
    replayable: ClassVar[bool] = True
    type, title = "capture-exceeds-hold", "Capture exceeds hold"


class TransactionNotFound(NotFound):
    type, title = "transaction-not-found", "Transaction not found"


class AlreadyReversed(Conflict):
    replayable: ClassVar[bool] = True
    type, title = "already-reversed", "Already reversed"


class NotReversible(Conflict):
    replayable: ClassVar[bool] = True
    type, title = "not-reversible", "Not reversible"


class IdempotencyKeyRequired(BadRequest):
    type, title = "idempotency-key-required", "Idempotency-Key required"


class IdempotencyKeyReused(ValidationFailed):
    type, title = "idempotency-key-reused", "Idempotency-Key reused"


class IdempotencyInProgress(Conflict):
    type, title = "idempotency-request-in-progress", "Request in progress"
