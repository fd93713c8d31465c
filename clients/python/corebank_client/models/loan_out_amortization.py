from enum import StrEnum


class LoanOutAmortization(StrEnum):
    ANNUITY = "annuity"
    FLAT_PRINCIPAL = "flat_principal"

    def __str__(self) -> str:
        return str(self.value)
