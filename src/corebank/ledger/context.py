"""What the ledger services need from the app, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.accounts.context import AccountsContext
from corebank.approvals.context import ApprovalsContext
from corebank.config import Settings
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.identity.context import AuthContext
from corebank.sca.context import ScaContext


@dataclass(frozen=True)
class LedgerContext:
    """The ledger's own needs, plus the contexts of the services it calls: the accounts' (an
    account by number, the one a caller may see), identity's (a customer's PIN check) and
    strong authentication's (money out to someone else), and the approvals' (maker-checker
    above a threshold)."""

    db: Database
    clock: Clock
    settings: Settings
    accounts: AccountsContext
    auth: AuthContext
    sca: ScaContext
    approvals: ApprovalsContext

    @property
    def pin_required(self) -> bool:
        """Whether a customer who has set no PIN is refused money out (the setting
        PIN_REQUIRED_FOR_CUSTOMERS)."""
        return self.settings.pin_required_for_customers
