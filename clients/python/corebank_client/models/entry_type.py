from enum import StrEnum


class EntryType(StrEnum):
    DEPOSIT = "deposit"
    HOLD_CAPTURE = "hold_capture"
    MULTI_LEG = "multi_leg"
    REVERSAL = "reversal"
    TRANSFER = "transfer"
    WITHDRAWAL = "withdrawal"

    def __str__(self) -> str:
        return str(self.value)
