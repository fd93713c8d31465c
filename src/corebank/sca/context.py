"""What the strong-authentication services need from the app."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.config import Settings
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.identity.context import AuthContext


@dataclass(frozen=True)
class ScaContext:
    db: Database
    clock: Clock
    settings: Settings
    auth: AuthContext
