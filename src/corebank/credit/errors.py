"""Refusals of the credit checks."""

from __future__ import annotations

from typing import Any

from corebank.core.errors import ServiceUnavailable


class CreditBureauUnavailable(ServiceUnavailable):
    """The bureau failed or its breaker is open: 503 with Retry-After and the last score."""

    type = "credit-bureau-unavailable"

    def __init__(self, *, retry_after: int, last_score: dict[str, Any] | None) -> None:
        super().__init__(
            "The credit bureau is unavailable; the last stored score, if any, is included.",
            headers={"Retry-After": str(retry_after)},
            extra={"last_score": last_score},
        )
