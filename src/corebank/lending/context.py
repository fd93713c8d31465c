"""What the lending services need, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.approvals.context import ApprovalsContext
from corebank.config import Settings
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.credit.context import CreditContext
from corebank.ledger.context import LedgerContext


@dataclass(frozen=True)
class LendingContext:
    """Lending's needs: the ledger's (postings, idempotency), credit's (a fresh bureau score
    before approval), the approvals' (a loan above the threshold needs a second person)."""

    db: Database
    clock: Clock
    settings: Settings
    ledger: LedgerContext
    credit: CreditContext
    approvals: ApprovalsContext
