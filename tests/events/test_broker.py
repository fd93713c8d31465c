"""The event stream on a real RabbitMQ: every event once per consumer-side dedup, in order per
aggregate, nothing lost when the connection is cut mid-stream, and an unreachable broker
leaves the events waiting in the outbox."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import httpx
import orjson
import pytest
from aio_pika.abc import AbstractIncomingMessage
from pydantic import SecretStr
from sqlalchemy import select

from corebank.config import Settings
from corebank.container import close_container
from corebank.core import outbox
from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.events.broker import BrokerPublisher
from corebank.events.dispatcher import Dispatcher
from corebank.events.stream import EventStream
from corebank.events.urls import UrlGuard
from corebank.main import create_app
from corebank.models import OutboxEvent
from tests.events.helpers import eventually
from tests.support import TcpProxy, unavailable

RABBITMQ_URL = os.environ.get("TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
#: Types that call for no mail, so the dispatcher's mail stage stays out of the way.
TYPES = ("account.closed", "account.frozen")


class NoMail:
    async def send(self, mail: Any) -> None:
        raise AssertionError("no mail expected")


class Consumer:
    """A server-named exclusive queue bound to the test's exchange with `#`: gets everything."""

    def __init__(self, exchange: str) -> None:
        self.exchange = exchange
        self.messages: list[AbstractIncomingMessage] = []
        self._connection: aio_pika.abc.AbstractConnection | None = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect(RABBITMQ_URL, timeout=3)
        channel = await self._connection.channel()
        exchange = await channel.declare_exchange(
            self.exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(exclusive=True)
        await queue.bind(exchange, "#")
        await queue.consume(self._receive, no_ack=True)

    async def _receive(self, message: AbstractIncomingMessage) -> None:
        self.messages.append(message)

    def ids(self) -> list[str]:
        return [str(m.message_id) for m in self.messages]

    def first_seen_by_aggregate(self) -> dict[str, list[str]]:
        """Each aggregate's event ids in arrival order, duplicates dropped (consumer dedup)."""
        seen: set[str] = set()
        order: dict[str, list[str]] = {}
        for message in self.messages:
            if message.message_id in seen:
                continue
            seen.add(str(message.message_id))
            order.setdefault(str(message.headers["aggregate_id"]), []).append(
                str(message.message_id)
            )
        return order

    async def close(self) -> None:
        if self._connection is not None:
            channel = await self._connection.channel()
            await channel.exchange_delete(self.exchange)
            await self._connection.close()


@pytest.fixture
async def rabbitmq() -> None:
    try:
        connection = await aio_pika.connect(RABBITMQ_URL, timeout=3)
    except Exception as exc:
        unavailable(f"RabbitMQ is unreachable at 127.0.0.1:5672 ({type(exc).__name__})")
    else:
        await connection.close()


@pytest.fixture
def exchange_name() -> str:
    return f"corebank.events.test-{secrets.token_hex(4)}"


@pytest.fixture
def settings_overrides(
    settings_overrides: dict[str, Any], exchange_name: str, rabbitmq: None
) -> dict[str, Any]:
    return {
        **settings_overrides,
        "event_broker_url": RABBITMQ_URL,
        "event_broker_exchange": exchange_name,
        "event_broker_timeout_seconds": 2.0,
        "event_broker_breaker_failures": 3,
        "event_broker_breaker_reset_seconds": 0.0,
        "outbox_batch_size": 25,
    }


@pytest.fixture
async def consumer(exchange_name: str) -> AsyncIterator[Consumer]:
    running = Consumer(exchange_name)
    await running.start()
    yield running
    await running.close()


def stream_dispatcher(settings: Settings, db: Database, clock: FrozenClock, url: str) -> Dispatcher:
    publisher = BrokerPublisher(
        url=url,
        exchange=settings.event_broker_exchange,
        timeout=settings.event_broker_timeout_seconds,
    )
    return Dispatcher(
        db=db,
        settings=settings,
        mailer=NoMail(),  # type: ignore[arg-type]
        guard=UrlGuard(allow_private=True),
        clock=clock,
        stream=EventStream(publisher, settings=settings),
    )


async def emit_interleaved(
    db: Database, *, aggregates: int, per_aggregate: int
) -> dict[str, list[str]]:
    """Events of several accounts, interleaved, one transaction each; ids per aggregate."""
    emitted: dict[str, list[str]] = {}
    for n in range(per_aggregate):
        for account in range(1, aggregates + 1):
            async with db.transaction() as session:
                event_id = outbox.emit(
                    session,
                    TYPES[n % 2],
                    {"account_id": account, "n": n},
                    aggregate_type="account",
                    aggregate_id=account,
                )
            emitted.setdefault(str(account), []).append(event_id)
    return emitted


async def stream_rows(db: Database) -> list[OutboxEvent]:
    async with db.session() as session:
        return list((await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))).all())


async def test_every_event_arrives_once_in_order_per_aggregate_with_its_envelope(
    app: Any, db: Database, consumer: Consumer, exchange_name: str
) -> None:
    dispatcher: Dispatcher = app.state.container.dispatcher
    emitted = await emit_interleaved(db, aggregates=4, per_aggregate=15)

    report = await dispatcher.drain()
    await eventually(lambda: len(consumer.messages) == 60)

    assert report.streamed == 60
    assert sorted(consumer.ids()) == sorted(i for ids in emitted.values() for i in ids)
    assert consumer.first_seen_by_aggregate() == emitted
    assert dispatcher.stream is not None and dispatcher.stream.outcomes["published"] == 60
    first = consumer.messages[0]
    body = orjson.loads(first.body)
    assert set(body) == {"id", "type", "version", "occurred_at", "data"}
    assert body["id"] == first.message_id
    assert first.routing_key == body["type"] == first.type
    assert first.exchange == exchange_name
    assert first.content_type == "application/json"
    assert first.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
    assert first.headers["aggregate_type"] == "account"
    assert body["data"]["account_id"] == int(str(first.headers["aggregate_id"]))
    rows = await stream_rows(db)
    assert all(row.broker_published_at is not None for row in rows)
    assert all(row.broker_attempts == 0 and row.broker_last_error is None for row in rows)
    assert (await dispatcher.drain()).idle  # nothing published twice
    await asyncio.sleep(0.2)
    assert len(consumer.messages) == 60


async def test_a_cut_connection_mid_stream_loses_nothing_and_keeps_the_order(
    settings: Settings, db: Database, clock: FrozenClock, consumer: Consumer
) -> None:
    proxy = TcpProxy("127.0.0.1", 5672)
    await proxy.start()
    url = f"amqp://guest:guest@127.0.0.1:{proxy.port}/"
    dispatcher = stream_dispatcher(settings, db, clock, url)
    writer = asyncio.create_task(emit_interleaved(db, aggregates=5, per_aggregate=40))
    dispatcher.start()
    try:
        await eventually(lambda: len(consumer.messages) >= 30, seconds=20)
        await proxy.stop()  # the broker "restarts": every connection through it is dropped
        await asyncio.sleep(0.3)
        await proxy.start()  # the same port again
        emitted = await writer
        ids = {i for per in emitted.values() for i in per}
        for _ in range(100):  # a failed publish waits for its retry: move the clock past it
            if ids <= set(consumer.ids()):
                break
            clock.advance(minutes=2)
            await asyncio.sleep(0.2)
    finally:
        await dispatcher.stop()
        await proxy.stop()

    assert set(consumer.ids()) == ids  # nothing lost
    assert consumer.first_seen_by_aggregate() == emitted  # in order per aggregate
    assert len(consumer.messages) >= len(ids)  # duplicates possible, deduplicated on the id
    rows = await stream_rows(db)
    assert all(row.broker_published_at is not None for row in rows)
    assert dispatcher.stream is not None
    assert dispatcher.stream.outcomes["published"] == len(ids)
    assert dispatcher.stream.outcomes["failed"] >= 1  # the cut was felt
    assert sum(row.broker_attempts for row in rows) == dispatcher.stream.outcomes["failed"]


async def test_an_unreachable_broker_leaves_events_waiting_and_shows_in_health(
    settings: Settings, db: Database, clock: FrozenClock, app: Any, client: httpx.AsyncClient
) -> None:
    dispatcher = stream_dispatcher(settings, db, clock, "amqp://guest:guest@127.0.0.1:1/")
    try:
        emitted = await emit_interleaved(db, aggregates=4, per_aggregate=3)
        first = await dispatcher.run_once()
        second = await dispatcher.run_once()
    finally:
        await dispatcher.stop()

    assert first.events == 12  # webhooks and mail do not wait for the broker
    assert first.streamed == 4  # each aggregate's first event tried, its later ones held back
    assert second.streamed == 0  # each head waits for its retry (the breaker was open too)
    rows = await stream_rows(db)
    heads = {ids[0] for ids in emitted.values()}
    for row in rows:
        assert row.broker_published_at is None
        assert row.broker_attempts == (1 if row.event_id in heads else 0)
    failed = [row for row in rows if row.event_id in heads]
    assert all(row.broker_last_error and "unavailable" in row.broker_last_error for row in failed)
    assert all(row.broker_next_attempt_at > clock.now() for row in failed)

    health = await client.get("/health/detailed")
    assert health.status_code == 200
    assert health.json()["dependencies"]["broker"]["status"] == "ok"
    assert health.json()["dependencies"]["broker"]["required"] is False


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_the_broker_probe_reports_down_and_degrades_health(
    settings: Settings, db: Database, clock: FrozenClock
) -> None:
    unreachable = settings.model_copy(
        update={"event_broker_url": SecretStr("amqp://guest:guest@127.0.0.1:1/")}
    )
    app = create_app(unreachable, database=db, clock=clock)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            health = await client.get("/health/detailed")
    finally:
        await close_container(app.state.container)
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"
    assert health.json()["dependencies"]["broker"] == {
        "status": "down",
        "required": False,
        "latency_ms": None,
        "detail": "AMQPConnectionError",
    }
    assert "127.0.0.1:1" not in health.text
