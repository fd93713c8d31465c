from enum import StrEnum


class OpenableType(StrEnum):
    CHECKING = "checking"
    SAVINGS = "savings"

    def __str__(self) -> str:
        return str(self.value)
