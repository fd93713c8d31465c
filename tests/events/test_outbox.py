"""The outbox: events exist only with their commit, and the dispatcher delivers at least once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corebank.core import outbox
from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.events.dispatcher import Dispatcher
from corebank.events.stats import delivery_counts, outbox_stats, stream_stats
from corebank.models import OutboxEvent, WebhookDelivery
from tests.events.helpers import Receiver, create_webhook


async def emit_one(db: Database, event_type: str = "account.closed", **payload: Any) -> str:
    async with db.transaction() as session:
        event_id = outbox.emit(session, event_type, payload or {"account_id": 7})
    return event_id


async def outbox_count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(OutboxEvent)) or 0


async def test_a_rolled_back_change_leaves_no_event(
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    await create_webhook(client, admin, receiver.url)

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.transaction() as session:
            outbox.emit(session, "account.closed", {"account_id": 1})
            await session.flush()  # written, then rolled back with the change
            raise Boom

    assert await outbox_count(db) == 0
    assert (await dispatcher.drain()).idle
    assert receiver.requests == []


async def test_an_event_reaches_a_webhook_once_and_is_marked(
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    hook = await create_webhook(client, admin, receiver.url, ["account.closed"])
    event_id = await emit_one(db, account_id=42)

    report = await dispatcher.drain()

    assert (report.events, report.deliveries) == (1, 1)
    (request,) = receiver.requests
    assert request.method == "POST"
    assert request.path == "/hook"
    assert request.headers["corebank-event-id"] == event_id
    assert request.headers["corebank-event-type"] == "account.closed"
    assert request.headers["content-type"] == "application/json"
    assert request.json["id"] == event_id
    assert request.json["type"] == "account.closed"
    assert request.json["version"] == 1
    assert request.json["data"] == {"account_id": 42}
    assert request.json["occurred_at"].endswith("Z")
    async with db.session() as session:
        event = await session.scalar(select(OutboxEvent))
        delivery = await session.scalar(select(WebhookDelivery))
    assert event is not None and event.published_at is not None
    assert delivery is not None
    assert (delivery.endpoint_id, delivery.status, delivery.attempts) == (
        hook["id"],
        "succeeded",
        1,
    )
    assert delivery.last_status_code == 200
    assert (await dispatcher.drain()).idle  # nothing is sent twice
    assert len(receiver.requests) == 1


async def test_a_crash_between_sending_and_marking_redelivers(
    app: Any,
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    await create_webhook(client, admin, receiver.url)
    event_id = await emit_one(db)
    receiver.hold = asyncio.Event()  # the receiver takes the request and never answers

    first = asyncio.create_task(dispatcher.drain())
    await receiver.wait_for(1)
    first.cancel()  # the dispatcher dies after sending, before marking
    with pytest.raises(asyncio.CancelledError):
        await first
    await dispatcher.sender.aclose()
    receiver.hold.set()
    async with db.session() as session:
        delivery = await session.scalar(select(WebhookDelivery))
    assert delivery is not None and delivery.status == "pending" and delivery.attempts == 0

    second = Dispatcher(
        db=db,
        settings=app.state.container.settings,
        mailer=app.state.container.outgoing.mailer,
        guard=app.state.container.webhook_guard,
        clock=app.state.container.clock,
    )
    try:
        await second.drain()
    finally:
        await second.stop()

    assert receiver.event_ids() == [event_id, event_id]  # delivered again, not lost
    assert await delivery_counts(db) == {"pending": 0, "succeeded": 1, "failed": 0}


async def test_an_endpoint_created_later_gets_only_later_events(
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    await emit_one(db)
    await dispatcher.drain()
    await create_webhook(client, admin, receiver.url)
    later = await emit_one(db)
    await dispatcher.drain()
    assert receiver.event_ids() == [later]


async def test_subscriptions_filter_by_type_and_inactive_endpoints_pause(
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    hook = await create_webhook(client, admin, receiver.url, ["account.frozen"])
    await emit_one(db, "account.closed")
    frozen = await emit_one(db, "account.frozen", account_id=1, changes=["status"])
    await dispatcher.drain()
    assert receiver.event_ids() == [frozen]

    paused = await client.patch(
        f"/api/v1/webhooks/{hook['id']}", json={"active": False}, headers=admin
    )
    assert paused.status_code == 200
    assert paused.json()["active"] is False
    await emit_one(db, "account.frozen", account_id=2, changes=["status"])
    await dispatcher.drain()
    assert len(receiver.requests) == 1


async def test_outbox_stats_report_backlog_and_oldest_age(
    db: Database, dispatcher: Dispatcher, clock: FrozenClock
) -> None:
    empty = await outbox_stats(db)
    assert (empty.pending, empty.oldest_pending_age_seconds, empty.dead) == (0, 0.0, 0)
    await emit_one(db)
    await emit_one(db)
    async with db.session() as session:
        oldest = await session.scalar(select(func.min(OutboxEvent.occurred_at)))
    assert oldest is not None
    stats = await outbox_stats(db, now=oldest + timedelta(seconds=90))
    assert stats.pending == 2
    assert stats.oldest_pending_age_seconds == pytest.approx(90, abs=0.01)
    await dispatcher.drain()
    assert (await outbox_stats(db)).pending == 0


async def test_stream_stats_count_what_the_broker_has_not_confirmed(db: Database) -> None:
    """The stream's backlog gauges: events still waiting for RabbitMQ's confirm, and the age of
    the oldest; a confirmed one leaves the count."""
    assert await stream_stats(db) == (0, 0.0)
    first = await emit_one(db)
    await emit_one(db)
    async with db.session() as session:
        oldest = await session.scalar(select(func.min(OutboxEvent.occurred_at)))
    assert oldest is not None
    count, age = await stream_stats(db, now=oldest + timedelta(seconds=30))
    assert count == 2 and age == pytest.approx(30, abs=0.01)
    async with db.transaction() as session:
        row = await session.scalar(select(OutboxEvent).where(OutboxEvent.event_id == first))
        assert row is not None
        row.broker_published_at = oldest
    assert (await stream_stats(db))[0] == 1
