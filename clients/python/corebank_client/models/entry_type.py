from enum import StrEnum


class EntryType(StrEnum):
    DEPOSIT = "deposit"
    HOLD_CAPTURE = "hold_capture"
    LOAN_DISBURSAL = "loan_disbursal"
    LOAN_REPAYMENT = "loan_repayment"
    MULTI_LEG = "multi_leg"
    REVERSAL = "reversal"
    TRANSFER = "transfer"
    WITHDRAWAL = "withdrawal"

    def __str__(self) -> str:
        return str(self.value)
