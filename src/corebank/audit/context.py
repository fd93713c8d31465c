"""What the audit trail's read side needs from the app."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.core.db import Database


@dataclass(frozen=True)
class AuditContext:
    db: Database
