from enum import StrEnum


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    DELETED = "deleted"

    def __str__(self) -> str:
        return str(self.value)
