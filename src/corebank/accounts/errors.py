"""Refusals of the account rules. `replayable` ones are stored for an Idempotency-Key."""

from __future__ import annotations

from typing import ClassVar

from corebank.core.errors import Conflict, NotFound, ValidationFailed


class AccountNotFound(NotFound):
    """No such account, or not one the caller may see (never 403: existence stays hidden)."""

    type, title = "account-not-found", "Account not found"


class InvalidAccountNumber(ValidationFailed):
    type, title = "invalid-account-number", "Invalid account number"


class AccountFrozen(Conflict):
    replayable: ClassVar[bool] = True
    type, title = "account-frozen", "Account frozen"


class AccountClosed(Conflict):
    replayable: ClassVar[bool] = True
    type, title = "account-closed", "Account closed"


class AccountNotEmpty(Conflict):
    type, title = "account-not-empty", "Account not empty"


class KycRequired(ValidationFailed):
    type, title = "kyc-required", "Customer not verified"


class OverdraftLimitRefused(ValidationFailed):
    type, title = "overdraft-limit-refused", "Overdraft limit refused"


class CannotReceive(ValidationFailed):
    """What a customer learns of an account that is not theirs and cannot take their money:
    missing, closed, frozen, of another currency, all alike (no currency, state or id).
    Staff get the detailed refusals."""

    replayable: ClassVar[bool] = True
    type, title = "cannot-receive-transfer", "The account cannot receive this transfer"

    def __init__(self, detail: str = "That account cannot receive this transfer.") -> None:
        super().__init__(detail)
