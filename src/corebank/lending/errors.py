"""Refusals of the lending rules."""

from __future__ import annotations

from typing import ClassVar

from corebank.core.errors import Conflict, NotFound, ValidationFailed


class ProductNotFound(NotFound):
    type, title = "loan-product-not-found", "Loan product not found"


class ProductInUse(Conflict):
    type, title = "loan-product-in-use", "Loan product in use"


class ProductNameTaken(Conflict):
    type, title = "loan-product-name-taken", "Loan product name taken"


class ProductRetired(Conflict):
    type, title = "loan-product-retired", "Loan product retired"


class LoanNotFound(NotFound):
    type, title = "loan-not-found", "Loan not found"


class LoanState(Conflict):
    """The loan is not in the state this needs (e.g. disbursing one not approved)."""

    replayable: ClassVar[bool] = True
    type, title = "loan-state", "Loan not in the required state"


class OutsideProduct(ValidationFailed):
    type, title = "outside-loan-product", "Outside the product's bounds"


class ApprovalRefused(ValidationFailed):
    """An approval the rules refuse: KYC, credit check, credit limit."""

    type, title = "loan-approval-refused", "The loan cannot be approved"


class RepaymentRefused(ValidationFailed):
    replayable: ClassVar[bool] = True
    type, title = "loan-repayment-refused", "Repayment refused"
