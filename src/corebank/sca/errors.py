"""Refusals of strong customer authentication."""

from __future__ import annotations

from typing import Any

from corebank.core.errors import Conflict, Forbidden, NotFound, Unauthorized


class ScaRequired(Unauthorized):
    """The request needs a fresh factor: the body carries the challenge that covers it."""

    type, title = "sca-required", "Strong authentication required"

    def __init__(self, detail: str, *, challenge: dict[str, Any] | None = None) -> None:
        super().__init__(detail, extra={"challenge": challenge} if challenge else None)


class ScaAuthorizationInvalid(Forbidden):
    """The authorization code does not cover this request (amount, currency, source, payee; of
    a set of payments, every leg in order), was used, expired, or is another user's. Nothing
    moved."""

    type, title = "sca-authorization-invalid", "Authorization code refused"


class ChallengeNotFound(NotFound):
    type, title = "challenge-not-found", "Challenge not found"


class ChallengeNotPending(Conflict):
    type, title = "challenge-not-pending", "Challenge already completed or expired"


class NoFactor(Conflict):
    type, title = "no-second-factor", "No factor to complete the challenge with"


class PayeeAlreadyTrusted(Conflict):
    type, title = "payee-already-trusted", "Payee already trusted"


class TrustedPayeeNotFound(NotFound):
    type, title = "trusted-payee-not-found", "Trusted payee not found"
