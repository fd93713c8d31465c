from enum import StrEnum


class ProductOutDayCount(StrEnum):
    ACTUAL365 = "actual/365"
    VALUE_0 = "30/360"

    def __str__(self) -> str:
        return str(self.value)
