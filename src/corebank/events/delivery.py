"""Stage 2 of a pass: due webhook deliveries are attempted and their outcome recorded."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

import orjson
import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core.resilience import CircuitBreaker, CircuitOpenError
from corebank.events import repository
from corebank.events.schedule import next_attempt_at
from corebank.events.sender import DeliveryFailed, WebhookSender
from corebank.events.urls import UrlRefused
from corebank.models.outbox import OutboxEvent
from corebank.models.webhook import DeliveryStatus, WebhookDelivery

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


def _next_state(result: Attempt, now: datetime) -> tuple[DeliveryStatus | None, datetime | None]:
    """The delivery's new status (None: still pending) and when to try it next."""
    if result.outcome == SUCCEEDED:
        return DeliveryStatus.succeeded, None
    retry_at = next_attempt_at(result.attempts, now)
    return (DeliveryStatus.failed if retry_at is None else None), retry_at


async def mark(session: AsyncSession, attempts: list[Attempt], *, now: datetime) -> list[str]:
    """Record each attempt: succeeded, retry later, or failed for good. Returns the outcomes."""
    outcomes = []
    for result in attempts:
        status, retry_at = _next_state(result, now)
        outcomes.append(result.outcome)
        if status is DeliveryStatus.failed:
            outcomes.append(GAVE_UP)
        await repository.record_attempt(
            session,
            delivery_id=result.delivery_id,
            attempts=result.attempts,
            at=result.at,
            status_code=result.status_code,
            error=result.error[:500] if result.error else None,
            duration_ms=result.duration_ms,
            next_attempt_at=retry_at,
            status=status,
            delivered_at=result.at if status is DeliveryStatus.succeeded else None,
        )
    return outcomes
