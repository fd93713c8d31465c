from enum import StrEnum


class InstallmentOutStatus(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    PAID = "paid"
    PROJECTED = "projected"

    def __str__(self) -> str:
        return str(self.value)
