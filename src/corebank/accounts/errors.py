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
