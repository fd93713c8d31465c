"""Stage 2 of a pass: due webhook deliveries are attempted and their outcome recorded."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import structlog
from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.resilience import CircuitBreaker, CircuitOpenError
from corebank.events.schedule import next_attempt_at
from corebank.events.sender import DeliveryFailed, WebhookSender
from corebank.events.urls import UrlRefused
from corebank.models.outbox import OutboxEvent
from corebank.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint

log = structlog.get_logger(__name__)

#: Outcomes of delivery attempts (`gave_up` is counted besides the last failed attempt).
SUCCEEDED, FAILED, CIRCUIT_OPEN, REFUSED, GAVE_UP = (
    "succeeded",
    "failed",
    "circuit_open",
    "refused",
    "gave_up",
)
CIRCUIT_OPEN_ERROR = "circuit breaker open: not sent"


def envelope(event: OutboxEvent) -> bytes:
    """The body a webhook receives: {id, type, version, occurred_at, data}."""
    return orjson.dumps(
        {
            "id": event.event_id,
            "type": event.type,
            "version": event.version,
            "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
            "data": event.payload,
        }
    )


def due_deliveries(now: datetime, limit: int) -> Select[Any]:
    """Pending deliveries whose time has come, to active endpoints, with what they need."""
    return (
        select(WebhookDelivery, WebhookEndpoint.url, WebhookEndpoint.secret, OutboxEvent)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.outbox_event_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.pending,
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.active.is_(True),
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    )


@dataclass
class Attempt:
    delivery_id: int
    attempts: int
    outcome: str
    at: datetime
    status_code: int | None = None
    error: str | None = None
    duration_ms: int = 0


async def attempt(
    sender: WebhookSender,
    breaker: CircuitBreaker,
    *,
    delivery: WebhookDelivery,
    url: str,
    secret: str,
    event: OutboxEvent,
    now: datetime,
) -> Attempt:
    """One signed POST through the endpoint's breaker; never raises (bar cancellation)."""
    started = time.monotonic()
    result = Attempt(delivery.id, delivery.attempts + 1, SUCCEEDED, now)
    try:
        async with breaker:
            result.status_code = await sender.send(
                url=url,
                secret=secret,
                body=envelope(event),
                timestamp=int(now.timestamp()),
                event_id=event.event_id,
                event_type=event.type,
                delivery_id=delivery.id,
            )
    except CircuitOpenError:
        result.outcome, result.error = CIRCUIT_OPEN, CIRCUIT_OPEN_ERROR
    except UrlRefused as exc:
        result.outcome, result.error = REFUSED, exc.message
    except DeliveryFailed as exc:
        result.outcome, result.error, result.status_code = FAILED, exc.message, exc.status_code
    except Exception as exc:
        log.exception("webhook.attempt_crashed", delivery_id=delivery.id)
        result.outcome, result.error = FAILED, f"internal error: {type(exc).__name__}"
    result.duration_ms = int((time.monotonic() - started) * 1000)
    log.info(
        "webhook.attempt",
        delivery_id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        event_type=event.type,
        attempt=result.attempts,
        outcome=result.outcome,
        status_code=result.status_code,
        duration_ms=result.duration_ms,
    )
    return result


async def mark(session: AsyncSession, attempts: list[Attempt], *, now: datetime) -> list[str]:
    """Record each attempt: succeeded, retry later, or failed for good. Returns the outcomes."""
    outcomes = []
    for result in attempts:
        values: dict[str, Any] = {
            "attempts": result.attempts,
            "last_attempt_at": result.at,
            "last_status_code": result.status_code,
            "last_error": result.error[:500] if result.error else None,
            "last_duration_ms": result.duration_ms,
        }
        outcomes.append(result.outcome)
        if result.outcome == SUCCEEDED:
            values.update(
                status=DeliveryStatus.succeeded, delivered_at=result.at, next_attempt_at=None
            )
        else:
            retry_at = next_attempt_at(result.attempts, now)
            values["next_attempt_at"] = retry_at
            if retry_at is None:
                values["status"] = DeliveryStatus.failed
                outcomes.append(GAVE_UP)
        await session.execute(
            update(WebhookDelivery).where(WebhookDelivery.id == result.delivery_id).values(values)
        )
    return outcomes
