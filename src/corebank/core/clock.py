"""The service's notion of now, replaceable in tests (lockout expiry, token lifetimes)."""

from __future__ import annotations

from datetime import datetime, timedelta

from corebank.models.base import utcnow


class Clock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return utcnow()


class FrozenClock(Clock):
    """A clock that moves only when told to (tests)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or utcnow()

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self._now += timedelta(**delta)
