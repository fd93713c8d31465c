"""Stage 3 of a pass: due outbox events are published to the broker, in order per aggregate.

A batch is claimed like the other stages (claims.py). Events whose aggregate has an earlier
event not yet streamed outside the batch (another dispatcher holds it, or it waits for a retry)
are left for a later pass. The rest are grouped by aggregate: the groups are published
concurrently, each group's events one after the other, the next only once the broker confirmed
the previous one. A failed publish stops its group (the later events are not tried) and is
retried with the usual backoff, never given up. An event is marked streamed only after its
confirm; a crash in between publishes it again (consumers deduplicate on `message_id`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.config import Settings
from corebank.core.db import Database
from corebank.core.resilience import CircuitBreaker, CircuitOpenError
from corebank.events import repository
from corebank.events.broker import (
    BrokerPublisher,
    BrokerUnavailable,
    PublishRefused,
    counts_against_breaker,
)
from corebank.events.claims import process_batch
from corebank.events.outcomes import OutcomeCounts
from corebank.events.schedule import next_retry_at
from corebank.models.outbox import OutboxEvent

log = structlog.get_logger(__name__)

#: Outcomes of publishing one event (`unroutable`: confirmed, but no queue was bound to take
#: it; it is marked streamed like `published`). `circuit_open`: not tried, nothing recorded.
PUBLISHED, UNROUTABLE, FAILED, CIRCUIT_OPEN = "published", "unroutable", "failed", "circuit_open"


@dataclass
class Publication:
    event: OutboxEvent
    outcome: str
    at: datetime
    error: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.outcome in (PUBLISHED, UNROUTABLE)


def by_aggregate(events: Sequence[OutboxEvent]) -> list[list[OutboxEvent]]:
    """The events grouped by aggregate, each group in id order; no aggregate: a group each."""
    groups: dict[tuple[str, str] | int, list[OutboxEvent]] = {}
    for event in sorted(events, key=lambda e: e.id):
        if event.aggregate_type is None or event.aggregate_id is None:
            groups[event.id] = [event]
        else:
            groups.setdefault((event.aggregate_type, event.aggregate_id), []).append(event)
    return list(groups.values())


class EventStream(OutcomeCounts):
    """The broker sink of the dispatcher: its publisher, circuit breaker and outcome counts."""

    def __init__(
        self,
        publisher: BrokerPublisher,
        *,
        settings: Settings,
        breaker_clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.publisher = publisher
        self.breaker = CircuitBreaker(
            "broker",
            failure_threshold=settings.event_broker_breaker_failures,
            reset_timeout=settings.event_broker_breaker_reset_seconds,
            is_failure=counts_against_breaker,
            clock=breaker_clock,
        )
        super().__init__("stream")

    @classmethod
    def from_settings(cls, settings: Settings) -> EventStream | None:
        """The stream EVENT_BROKER_URL configures; None when it is unset."""
        if settings.event_broker_url is None:
            return None
        publisher = BrokerPublisher(
            url=settings.event_broker_url.get_secret_value(),
            exchange=settings.event_broker_exchange,
            timeout=settings.event_broker_timeout_seconds,
        )
        return cls(publisher, settings=settings)

    async def run_batch(self, db: Database, *, now: Callable[[], datetime], limit: int) -> int:
        """Claim, publish and mark one batch; the number of publishes tried.

        While the breaker is open nothing is claimed: the events wait in the outbox untouched.
        """
        if self.breaker.state == "open":
            return 0
        publications: list[Publication] = []

        async def prepare(
            session: AsyncSession, events: Sequence[OutboxEvent]
        ) -> list[OutboxEvent]:
            waiting = await repository.held_back(session, [e.id for e in events])
            return [event for event in events if event.id not in waiting]

        async def work(events: list[OutboxEvent]) -> list[Publication]:
            groups = by_aggregate(events)
            results = await asyncio.gather(*(self._publish_in_order(g, now) for g in groups))
            return [publication for group in results for publication in group]

        async def apply(session: AsyncSession, results: list[Publication]) -> None:
            await mark(session, results, now=now())
            publications[:] = results

        await process_batch(
            db,
            claim=lambda session, *, skip_locked: repository.due_for_stream(
                session, now=now(), limit=limit, skip_locked=skip_locked
            ),
            prepare=prepare,
            work=work,
            apply=apply,
        )
        for publication in publications:  # counted once the outcome is committed
            self.record_outcome(publication.outcome)
        return len(publications)

    async def _publish_in_order(
        self, group: list[OutboxEvent], now: Callable[[], datetime]
    ) -> list[Publication]:
        """Publish an aggregate's events one by one; stop at the first one not confirmed."""
        results = []
        for event in group:
            result = await self._publish(event, now)
            results.append(result)
            if not result.confirmed:
                break
        return results

    async def _publish(self, event: OutboxEvent, now: Callable[[], datetime]) -> Publication:
        """One publish through the breaker; never raises (bar cancellation)."""
        try:
            async with self.breaker:
                routed = await self.publisher.publish(event)
        except CircuitOpenError:
            return Publication(event, CIRCUIT_OPEN, now())
        except (BrokerUnavailable, PublishRefused) as exc:
            log.warning("stream.publish_failed", event_id=event.event_id, error=str(exc))
            return Publication(event, FAILED, now(), str(exc))
        except Exception as exc:
            log.exception("stream.publish_crashed", event_id=event.event_id)
            return Publication(event, FAILED, now(), f"internal error: {type(exc).__name__}")
        return Publication(event, PUBLISHED if routed else UNROUTABLE, now())

    async def aclose(self) -> None:
        await self.publisher.aclose()


async def mark(session: AsyncSession, publications: list[Publication], *, now: datetime) -> None:
    """Mark each confirmed event streamed; schedule the retry of each failed one."""
    for item in publications:
        event = item.event
        if item.confirmed:
            await repository.mark_event_streamed(session, event.id, at=item.at)
        elif item.outcome == FAILED:
            attempts = event.broker_attempts + 1
            await repository.schedule_stream_retry(
                session,
                event.id,
                attempts=attempts,
                next_attempt_at=next_retry_at(attempts, now),
                error=(item.error or "not confirmed")[:500],
            )
