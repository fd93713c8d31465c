from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    CUSTOMER = "customer"
    STAFF = "staff"

    def __str__(self) -> str:
        return str(self.value)
