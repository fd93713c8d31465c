"""What the customer services need from the app, and the one 404 they raise."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.config import Settings
from corebank.core.cache import Cache
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.errors import NotFound


@dataclass(frozen=True)
class CustomerContext:
    db: Database
    settings: Settings
    clock: Clock
    cache: Cache

    @property
    def currency(self) -> str:
        """The bank's base currency: credit limits are kept in it."""
        return self.settings.base_currency


def not_found() -> NotFound:
    return NotFound("No such customer.", type="customer-not-found")
