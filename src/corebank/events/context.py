"""What the webhook services need from the app."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.events.urls import UrlGuard


@dataclass(frozen=True)
class EventsContext:
    db: Database
    clock: Clock
    guard: UrlGuard
