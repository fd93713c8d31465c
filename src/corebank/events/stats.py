"""Numbers for metrics and health: outbox backlog, oldest pending event, deliveries by status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from corebank.core import metrics
from corebank.core.db import Database
from corebank.core.metrics import ScrapeHook
from corebank.events import repository
from corebank.models.base import as_utc, utcnow
from corebank.models.webhook import DeliveryStatus

if TYPE_CHECKING:
    from corebank.events.dispatcher import Dispatcher


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    """Events not yet published that will be tried (again)."""
    oldest_pending_age_seconds: float
    """Age of the oldest of them (0 when there are none)."""
    dead: int
    """Events whose notifications failed on every attempt; never tried again."""


async def outbox_stats(db: Database, *, now: datetime | None = None) -> OutboxStats:
    """The outbox backlog and the age of its oldest pending event."""
    now = now or utcnow()
    async with db.session() as session:
        count, oldest = await repository.pending_events(session)
        dead = await repository.dead_event_count(session)
    return OutboxStats(pending=count, oldest_pending_age_seconds=_age(now, oldest), dead=dead)


def _age(now: datetime, oldest: datetime | None) -> float:
    """Seconds since `oldest` (0 when there is none)."""
    return max(0.0, (now - as_utc(oldest)).total_seconds()) if oldest is not None else 0.0


async def delivery_counts(db: Database) -> dict[str, int]:
    """Webhook deliveries by status (pending, succeeded, failed)."""
    async with db.session() as session:
        counts = await repository.delivery_counts_by_status(session)
    return {status.value: counts.get(status.value, 0) for status in DeliveryStatus}


def outbox_gauges(db: Database, dispatcher: Dispatcher) -> ScrapeHook:
    """At each scrape: the outbox backlog, its oldest event's age and open webhook breakers;
    with the broker stream on, its backlog and its oldest event's age too."""

    async def refresh() -> None:
        stats = await outbox_stats(db)
        metrics.OUTBOX_BACKLOG.set(stats.pending)
        metrics.OUTBOX_OLDEST_AGE.set(stats.oldest_pending_age_seconds)
        metrics.WEBHOOK_BREAKERS_OPEN.set(dispatcher.open_breakers)
        if dispatcher.stream is not None:
            count, age = await stream_stats(db)
            metrics.STREAM_BACKLOG.set(count)
            metrics.STREAM_OLDEST_AGE.set(age)

    return refresh


async def stream_stats(db: Database, *, now: datetime | None = None) -> tuple[int, float]:
    """Events waiting for the broker's confirm, and the oldest one's age in seconds."""
    now = now or utcnow()
    async with db.session() as session:
        count, oldest = await repository.stream_backlog(session)
    return count, _age(now, oldest)
