from enum import StrEnum


class DependencyStatusStatus(StrEnum):
    DOWN = "down"
    OK = "ok"

    def __str__(self) -> str:
        return str(self.value)
