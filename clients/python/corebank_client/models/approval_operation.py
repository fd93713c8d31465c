from enum import StrEnum


class ApprovalOperation(StrEnum):
    ACCOUNT_CLOSURE = "account_closure"
    CREDIT_LIMIT_RAISE = "credit_limit_raise"
    KYC_OVERRIDE = "kyc_override"
    LOAN_APPROVAL = "loan_approval"
    MULTI_LEG = "multi_leg"
    TRANSFER = "transfer"
    WITHDRAWAL = "withdrawal"

    def __str__(self) -> str:
        return str(self.value)
