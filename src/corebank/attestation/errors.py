"""The attestation's refusals."""

from __future__ import annotations

from corebank.core.errors import Conflict


class AttestationConflict(Conflict):
    """Another writer extended the series (or holds its lock) meanwhile; nothing was stored."""

    def __init__(self) -> None:
        super().__init__(
            "Another attestation was being stored at the same time; nothing was stored. Try again.",
            type="attestation-conflict",
        )
