from enum import StrEnum


class LoanStatus(StrEnum):
    ACTIVE = "active"
    APPLIED = "applied"
    APPROVED = "approved"
    PAID_OFF = "paid_off"
    REJECTED = "rejected"

    def __str__(self) -> str:
        return str(self.value)
