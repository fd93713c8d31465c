"""The platform services every domain shares, as one typed object.

The composition root (`corebank.container`) builds one per app; the app keeps it as
`app.state.container` and nothing else on app.state. Core's dependencies read this part of it;
each domain's dependencies read the domain's own part.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from corebank.config import Settings
from corebank.core.cache import Cache
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.mail import Outgoing
from corebank.core.metrics import ScrapeHook
from corebank.core.pagination import CursorCodec
from corebank.core.ratelimit import RateLimiter

#: A dependency's health probe: awaited by /health/detailed.
ProbeCall = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Probe:
    call: ProbeCall
    required: bool


@dataclass(kw_only=True)
class Platform:
    """Database, clock, cache, rate limits, mail and cursors: what every domain may use."""

    settings: Settings
    db: Database
    clock: Clock
    cache: Cache
    cursor_codec: CursorCodec
    rate_limiter: RateLimiter
    outgoing: Outgoing
    probes: dict[str, Probe] = field(default_factory=dict)
    scrape_hooks: list[ScrapeHook] = field(default_factory=list)
    #: Whether a bearer token is a live staff or admin access token (identity provides it).
    is_staff_token: Callable[[str], Awaitable[bool]] | None = None


def platform_of(request: Request) -> Platform:
    """The app's platform services (its container is a Platform)."""
    container: Any = request.app.state.container
    return container  # type: ignore[no-any-return]
