"""Refusals of the identity rules, each a problem type of its own."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from corebank.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    Unauthorized,
    field_error,
)

BAD_CREDENTIALS = "Incorrect username or password."


class UserNotFound(NotFound):
    type, title = "user-not-found", "User not found"

    def __init__(self, detail: str = "No such user.", **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)


class InvalidCredentials(Unauthorized):
    """The same answer for an unknown user and a wrong password (no enumeration)."""

    type = "invalid-credentials"

    def __init__(self, detail: str = BAD_CREDENTIALS, **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)


class InvalidToken(Unauthorized):
    type = "invalid-token"

    def __init__(self, detail: str = "The token is invalid or has expired.", **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)


class SessionRevoked(Unauthorized):
    type = "session-revoked"

    def __init__(
        self, detail: str = "This session has ended; log in again.", **kwargs: Any
    ) -> None:
        super().__init__(detail, **kwargs)


class InvalidResetToken(BadRequest):
    type = "invalid-reset-token"

    def __init__(
        self, detail: str = "The reset code is invalid, used or expired.", **kwargs: Any
    ) -> None:
        super().__init__(detail, **kwargs)


def _retry_after(until: datetime, now: datetime) -> dict[str, str]:
    return {"Retry-After": str(max(1, int((until - now).total_seconds())))}


def duplicate_user(field: str) -> Conflict:
    """409 naming the field (e-mail or username) another user already has."""
    return Conflict(
        f"A user with this {field} already exists.",
        type="duplicate-user",
        extra={"errors": [field_error(["body", field], f"{field} is already registered")]},
    )


def login_locked(until: datetime, now: datetime) -> Forbidden:
    return Forbidden(
        "Too many failed logins; this login is locked for a while.",
        type="account-locked",
        headers=_retry_after(until, now),
    )


def pin_blocked(until: datetime, now: datetime) -> Forbidden:
    return Forbidden(
        "Too many wrong PINs; PIN use is blocked for a while.",
        type="transaction-pin-blocked",
        headers=_retry_after(until, now),
    )
