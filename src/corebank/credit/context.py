"""What the credit services need from the app, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.credit.bureau import Bureau


@dataclass(frozen=True)
class CreditContext:
    db: Database
    bureau: Bureau
    clock: Clock
