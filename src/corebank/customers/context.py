"""What the customer services need from the app."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.approvals.context import ApprovalsContext
from corebank.config import Settings
from corebank.core.cache import Cache
from corebank.core.clock import Clock
from corebank.core.db import Database

#: Checks run before a soft delete: each returns a reason to refuse (409), or None. The
#: composition root registers them (the accounts' "no money held" guard among them).
DeletionGuard = Callable[[AsyncSession, int], Awaitable[str | None]]


@dataclass(frozen=True)
class CustomerContext:
    db: Database
    settings: Settings
    clock: Clock
    cache: Cache
    approvals: ApprovalsContext
    deletion_guards: list[DeletionGuard] = field(default_factory=list)

    @property
    def currency(self) -> str:
        """The bank's base currency: credit limits are kept in it."""
        return self.settings.base_currency
