"""Stage 1 of a pass: outbox events become webhook delivery rows and e-mails.

Per event: one delivery row for every active endpoint subscribed to its type (never twice for
the same endpoint and event), then the mails it calls for. The event is marked published when
its mails went out; if one failed, the attempt is counted and the event retried with backoff
(its delivery rows are kept, so webhooks do not wait for the mail server).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.config import Settings
from corebank.core.mail import Mail, Mailer
from corebank.events import notifications, repository
from corebank.events.catalogue import ALL_EVENTS
from corebank.events.schedule import next_attempt_at
from corebank.models.outbox import OutboxEvent
from corebank.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint

log = structlog.get_logger(__name__)


@dataclass
class EventPlan:
    event: OutboxEvent
    deliveries: list[WebhookDelivery]
    mails: list[Mail]
    error: str | None = None


def subscribed(endpoint: WebhookEndpoint, event_type: str) -> bool:
    return ALL_EVENTS in endpoint.event_types or event_type in endpoint.event_types


async def plan(
    session: AsyncSession, events: Sequence[OutboxEvent], *, settings: Settings, now: datetime
) -> list[EventPlan]:
    """The delivery rows to create and the mails to send for each event (reads only)."""
    endpoints = await repository.active_endpoints(session)
    existing = await repository.existing_deliveries(session, [e.id for e in events])
    plans = []
    for event in events:
        deliveries = [
            WebhookDelivery(
                endpoint_id=endpoint.id,
                outbox_event_id=event.id,
                event_id=event.event_id,
                event_type=event.type,
                status=DeliveryStatus.pending,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            for endpoint in endpoints
            if subscribed(endpoint, event.type) and (endpoint.id, event.id) not in existing
        ]
        try:
            mails = await notifications.mails_for(session, event, settings)
        except Exception as exc:
            log.exception("outbox.notification_failed", event_type=event.type)
            plans.append(EventPlan(event, deliveries, [], f"notification: {exc!r}"[:500]))
            continue
        plans.append(EventPlan(event, deliveries, mails))
    return plans


async def send_mails(mailer: Mailer, plans: list[EventPlan]) -> list[EventPlan]:
    """Send every plan's mails (plans concurrently); a failure is noted on its plan."""

    async def send(item: EventPlan) -> None:
        for mail in item.mails:
            try:
                await mailer.send(mail)
            except Exception as exc:
                log.warning("outbox.mail_failed", event_type=item.event.type, error=repr(exc))
                item.error = f"mail: {type(exc).__name__}"
                return

    await asyncio.gather(*(send(item) for item in plans if item.mails))
    return plans


async def mark(session: AsyncSession, plans: list[EventPlan], *, now: datetime) -> None:
    """Create the delivery rows; mark each event published, or schedule its retry."""
    for item in plans:
        repository.add_deliveries(session, item.deliveries)
        event = item.event
        if item.error is None:
            await repository.mark_event_published(session, event.id, at=now)
            continue
        attempts = event.attempts + 1
        retry_at = next_attempt_at(attempts, now)
        if retry_at is None:
            log.error("outbox.gave_up", event_id=event.event_id, event_type=event.type)
        await repository.schedule_event_retry(
            session, event.id, attempts=attempts, next_attempt_at=retry_at, error=item.error
        )
