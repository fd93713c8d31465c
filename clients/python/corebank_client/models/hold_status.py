from enum import StrEnum


class HoldStatus(StrEnum):
    CAPTURED = "captured"
    EXPIRED = "expired"
    OPEN = "open"
    VOIDED = "voided"

    def __str__(self) -> str:
        return str(self.value)
