"""Every query of the events package: webhook endpoints and deliveries, the outbox's due rows,
what notifications read, and the numbers for metrics.

Functions run in the caller's session: the services and the dispatcher own the transactions,
and the dispatcher decides (per backend) whether a batch is claimed `FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.orm.util import AliasedClass

from corebank.models.account import Account, AccountKind
from corebank.models.customer import Customer
from corebank.models.outbox import OutboxEvent
from corebank.models.user import User
from corebank.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint

_UNPUBLISHED = OutboxEvent.published_at.is_(None)

# --- webhook endpoints and their delivery log (the admin API) ---------------------------------


async def endpoint_by_id(
    session: AsyncSession, endpoint_id: int, *, for_update: bool = False
) -> WebhookEndpoint | None:
    """One endpoint by id (locked `FOR UPDATE` when asked)."""
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    return await session.scalar(stmt.with_for_update() if for_update else stmt)


async def insert_endpoint(
    session: AsyncSession,
    *,
    url: str,
    event_types: list[str],
    description: str | None,
    active: bool,
    secret: str,
    created_by: int,
    now: datetime,
) -> WebhookEndpoint:
    """A new endpoint, flushed so that it has its id."""
    endpoint = WebhookEndpoint(
        url=url,
        event_types=event_types,
        description=description,
        active=active,
        secret=secret,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint


async def delete_endpoint(session: AsyncSession, endpoint: WebhookEndpoint) -> None:
    """Delete an endpoint (its deliveries go with it: ON DELETE CASCADE)."""
    await session.delete(endpoint)


def endpoint_listing() -> Select[tuple[WebhookEndpoint]]:
    """Every endpoint (keyset-paged by the caller)."""
    return select(WebhookEndpoint)


def delivery_listing(
    *, endpoint_id: int, status: DeliveryStatus | None
) -> Select[tuple[WebhookDelivery]]:
    """One endpoint's deliveries, of one status when given (keyset-paged by the caller)."""
    stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    return stmt


async def requeue_delivery(
    session: AsyncSession, *, endpoint_id: int, delivery_id: int, now: datetime
) -> WebhookDelivery | None:
    """Make one of the endpoint's deliveries pending and due at `now`; None if it has none."""
    return await session.scalar(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id)
        .values(status=DeliveryStatus.pending, next_attempt_at=now)
        .returning(WebhookDelivery)
    )


# --- stage 1 of a dispatcher pass: outbox events become deliveries and mails -----------------


async def due_events(
    session: AsyncSession, *, now: datetime, limit: int, skip_locked: bool
) -> list[OutboxEvent]:
    """Unpublished events in id order: new ones, and failed ones whose retry time has come.

    With `skip_locked` they are locked `FOR UPDATE SKIP LOCKED`, so concurrent dispatchers
    claim disjoint batches.
    """
    stmt = (
        select(OutboxEvent)
        .where(_UNPUBLISHED, or_(OutboxEvent.attempts == 0, OutboxEvent.next_attempt_at <= now))
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    if skip_locked:
        stmt = stmt.with_for_update(skip_locked=True, of=OutboxEvent)
    return list((await session.scalars(stmt)).all())


async def active_endpoints(session: AsyncSession) -> Sequence[WebhookEndpoint]:
    """Every active endpoint."""
    return (
        await session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)))
    ).all()


async def existing_deliveries(
    session: AsyncSession, outbox_event_ids: Sequence[int]
) -> set[tuple[int, int]]:
    """(endpoint id, outbox event id) of the deliveries these events already have."""
    rows = await session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.outbox_event_id).where(
            WebhookDelivery.outbox_event_id.in_(outbox_event_ids)
        )
    )
    return {(endpoint_id, event_id) for endpoint_id, event_id in rows}


def add_deliveries(session: AsyncSession, deliveries: Iterable[WebhookDelivery]) -> None:
    """Insert these delivery rows (at the session's next flush)."""
    session.add_all(deliveries)


async def mark_event_published(
    session: AsyncSession, outbox_event_id: int, *, at: datetime
) -> None:
    """The event is done with: published at `at`, its last error cleared."""
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == outbox_event_id)
        .values({"published_at": at, "last_error": None})
    )


async def schedule_event_retry(
    session: AsyncSession,
    outbox_event_id: int,
    *,
    attempts: int,
    next_attempt_at: datetime | None,
    error: str,
) -> None:
    """Record a failed attempt at an event; `next_attempt_at` None means never again."""
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == outbox_event_id)
        .values({"attempts": attempts, "next_attempt_at": next_attempt_at, "last_error": error})
    )


# --- stage 2 of a dispatcher pass: due deliveries are attempted -------------------------------


class DueDelivery(NamedTuple):
    """A delivery to attempt, with its endpoint's URL and secret and the event it carries."""

    delivery: WebhookDelivery
    url: str
    secret: str
    event: OutboxEvent


async def due_deliveries(
    session: AsyncSession, *, now: datetime, limit: int, skip_locked: bool
) -> list[DueDelivery]:
    """Pending deliveries whose time has come, to active endpoints, in id order.

    With `skip_locked` the delivery rows (only they) are locked `FOR UPDATE SKIP LOCKED`.
    """
    stmt = (
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
    if skip_locked:
        stmt = stmt.with_for_update(skip_locked=True, of=WebhookDelivery)
    return [DueDelivery(*row) for row in (await session.execute(stmt)).all()]


async def record_attempt(
    session: AsyncSession,
    *,
    delivery_id: int,
    attempts: int,
    at: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: int,
    next_attempt_at: datetime | None,
    status: DeliveryStatus | None = None,
    delivered_at: datetime | None = None,
) -> None:
    """Write one attempt's outcome; `status` and `delivered_at` are left alone when None."""
    values: dict[str, object] = {
        "attempts": attempts,
        "last_attempt_at": at,
        "last_status_code": status_code,
        "last_error": error,
        "last_duration_ms": duration_ms,
        "next_attempt_at": next_attempt_at,
    }
    if status is not None:
        values["status"] = status
    if delivered_at is not None:
        values["delivered_at"] = delivered_at
    await session.execute(
        update(WebhookDelivery).where(WebhookDelivery.id == delivery_id).values(values)
    )


# --- stage 3 of a dispatcher pass: the event stream (the broker) -------------------------------

_STREAM_PENDING = (
    OutboxEvent.broker_published_at.is_(None),
    OutboxEvent.broker_next_attempt_at.is_not(None),
)


def _earlier_of_same_aggregate(
    earlier: AliasedClass[OutboxEvent],
) -> tuple[ColumnElement[bool], ...]:
    """`earlier` is an event of the same aggregate as OutboxEvent, before it, not yet streamed."""
    return (
        earlier.aggregate_type == OutboxEvent.aggregate_type,
        earlier.aggregate_id == OutboxEvent.aggregate_id,
        earlier.id < OutboxEvent.id,
        earlier.broker_published_at.is_(None),
        earlier.broker_next_attempt_at.is_not(None),
    )


async def due_for_stream(
    session: AsyncSession, *, now: datetime, limit: int, skip_locked: bool
) -> list[OutboxEvent]:
    """Events to publish, in id order: new ones and failed ones whose retry time has come, and
    no earlier event of their aggregate waits for a retry (those are not claimed, so one
    failing aggregate never fills the batch).

    With `skip_locked` they are locked `FOR UPDATE SKIP LOCKED`.
    """
    earlier = aliased(OutboxEvent)
    waiting = exists().where(
        *_earlier_of_same_aggregate(earlier),
        earlier.broker_attempts > 0,
        earlier.broker_next_attempt_at > now,
    )
    due = or_(OutboxEvent.broker_attempts == 0, OutboxEvent.broker_next_attempt_at <= now)
    stmt = (
        select(OutboxEvent)
        .where(*_STREAM_PENDING, due, ~waiting)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    if skip_locked:
        stmt = stmt.with_for_update(skip_locked=True, of=OutboxEvent)
    return list((await session.scalars(stmt)).all())


async def held_back(session: AsyncSession, outbox_event_ids: Sequence[int]) -> set[int]:
    """Those of the events whose aggregate has an earlier event not yet streamed outside this
    batch (claimed by another dispatcher, or waiting for a retry): they must wait their turn."""
    earlier = aliased(OutboxEvent)
    stmt = select(OutboxEvent.id).where(
        OutboxEvent.id.in_(outbox_event_ids),
        exists().where(*_earlier_of_same_aggregate(earlier), earlier.id.not_in(outbox_event_ids)),
    )
    return set((await session.scalars(stmt)).all())


async def mark_event_streamed(session: AsyncSession, outbox_event_id: int, *, at: datetime) -> None:
    """The broker confirmed the event: streamed at `at`, its last stream error cleared."""
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == outbox_event_id)
        .values({"broker_published_at": at, "broker_last_error": None})
    )


async def schedule_stream_retry(
    session: AsyncSession,
    outbox_event_id: int,
    *,
    attempts: int,
    next_attempt_at: datetime,
    error: str,
) -> None:
    """Record a failed publish of an event and when to publish it again."""
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id == outbox_event_id)
        .values(
            {
                "broker_attempts": attempts,
                "broker_next_attempt_at": next_attempt_at,
                "broker_last_error": error,
            }
        )
    )


async def stream_backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many events wait for the stream, and when the oldest occurred."""
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxEvent.occurred_at)).where(*_STREAM_PENDING)
        )
    ).one()
    return count, oldest


# --- what notifications read ------------------------------------------------------------------


async def user_by_id(session: AsyncSession, user_id: int) -> User | None:
    """The user with this id, deleted or not."""
    return await session.scalar(select(User).where(User.id == user_id))


class AccountOwner(NamedTuple):
    """A customer account's number and its owner's e-mail address and name."""

    number: str
    email: str
    first_name: str
    last_name: str


async def live_customer(session: AsyncSession, customer_id: int) -> Customer | None:
    """The customer record, unless deleted."""
    return await session.scalar(
        select(Customer).where(Customer.id == customer_id, Customer.deleted_at.is_(None))
    )


async def live_owners_of_customer_accounts(
    session: AsyncSession, account_ids: Sequence[int]
) -> list[AccountOwner]:
    """The customer accounts among `account_ids` whose owner is not deleted, with that owner."""
    rows = await session.execute(
        select(Account.number, Customer.email, Customer.first_name, Customer.last_name)
        .join(Customer, Customer.id == Account.customer_id)
        .where(Account.id.in_(account_ids), Account.kind == AccountKind.customer)
        .where(Customer.deleted_at.is_(None))
    )
    return [AccountOwner(*row) for row in rows]


# --- numbers for metrics and health -----------------------------------------------------------


async def pending_events(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many unpublished events will be tried (again), and when the oldest occurred."""
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxEvent.occurred_at)).where(
                _UNPUBLISHED, OutboxEvent.next_attempt_at.is_not(None)
            )
        )
    ).one()
    return count, oldest


async def dead_event_count(session: AsyncSession) -> int:
    """Unpublished events that will never be tried again."""
    dead = await session.scalar(
        select(func.count()).where(_UNPUBLISHED, OutboxEvent.next_attempt_at.is_(None))
    )
    return dead or 0


async def delivery_counts_by_status(session: AsyncSession) -> dict[str, int]:
    """Deliveries per status that has any (statuses without deliveries are missing)."""
    rows = await session.execute(
        select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
    )
    return {str(status): int(count) for status, count in rows}
