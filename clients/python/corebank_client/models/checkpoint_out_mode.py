from enum import StrEnum


class CheckpointOutMode(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"

    def __str__(self) -> str:
        return str(self.value)
