"""When to try again: exponential backoff over about two days, then give up."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

#: Wait after the 1st, 2nd, ... failed attempt. The 8th failure is final (~45 h after the first).
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
#: Each wait is stretched by up to this fraction so failures of many rows do not retry in step.
JITTER = 0.1


def next_attempt_at(
    attempts: int, now: datetime, *, jitter: float | None = None
) -> datetime | None:
    """When to make attempt `attempts + 1` after `attempts` failures; None means give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay = RETRY_DELAYS[max(attempts, 1) - 1]
    spread = random.random() if jitter is None else jitter
    return now + delay * (1 + JITTER * spread)


def next_retry_at(attempts: int, now: datetime, *, jitter: float | None = None) -> datetime:
    """Like `next_attempt_at`, but never gives up: after the last delay, every 24 h.

    The event stream retries for good: a given-up event would hold back its aggregate's later
    events forever (or, skipped, break their order).
    """
    delay = RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]
    spread = random.random() if jitter is None else jitter
    return now + delay * (1 + JITTER * spread)
