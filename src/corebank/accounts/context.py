"""What the account services need from the app, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.approvals.context import ApprovalsContext
from corebank.config import Settings
from corebank.core.clock import Clock
from corebank.core.db import Database


@dataclass(frozen=True)
class AccountsContext:
    db: Database
    clock: Clock
    settings: Settings
    approvals: ApprovalsContext
