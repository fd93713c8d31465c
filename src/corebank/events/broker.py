"""The RabbitMQ side of the event stream: one connection, one confirm channel, one exchange.

`BrokerPublisher.publish` returns only once the broker confirmed the message (aio-pika opens
channels with publisher confirms unless told otherwise, and then `Exchange.publish` waits for
the broker's Basic.Ack and raises DeliveryError on a Nack). Anything short of a confirm raises,
so the caller never marks an unconfirmed event. The connection is opened on first use and
dropped on any connection-level error; the next publish opens a new one (no background
reconnection: the dispatcher's next pass is the retry).
"""

from __future__ import annotations

import asyncio
import contextlib

import aio_pika
import structlog
from aio_pika.abc import AbstractConnection, AbstractExchange
from aiormq.exceptions import DeliveryError
from pamqp.commands import Basic

from corebank.events.delivery import envelope
from corebank.models.outbox import OutboxEvent

log = structlog.get_logger(__name__)

APP_ID = "corebank"


class BrokerUnavailable(Exception):
    """No confirm: the broker could not be reached, the connection broke, or it timed out."""


class PublishRefused(Exception):
    """The broker answered with a Nack (or Reject): it did not take the message."""


def counts_against_breaker(exc: BaseException) -> bool:
    """The broker breaker's failure predicate: only an unavailable broker counts."""
    return isinstance(exc, BrokerUnavailable)


def message_for(event: OutboxEvent) -> aio_pika.Message:
    """The AMQP message of an event: the webhook envelope as JSON, persistent, id = event id."""
    headers = {
        "aggregate_type": event.aggregate_type,
        "aggregate_id": event.aggregate_id,
        "event_version": event.version,
        "correlation_id": event.correlation_id,
    }
    return aio_pika.Message(
        envelope(event),
        content_type="application/json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        message_id=event.event_id,
        type=event.type,
        timestamp=event.occurred_at,
        app_id=APP_ID,
        headers={name: value for name, value in headers.items() if value is not None},
    )


class BrokerPublisher:
    """Publishes events to a durable topic exchange with the event type as routing key."""

    def __init__(self, *, url: str, exchange: str, timeout: float) -> None:
        self.url = url
        self.exchange_name = exchange
        self.timeout = timeout
        self._connection: AbstractConnection | None = None
        self._exchange: AbstractExchange | None = None
        self._lock = asyncio.Lock()

    async def _ready_exchange(self) -> AbstractExchange:
        """The declared exchange on an open confirm channel, connecting first if needed."""
        async with self._lock:
            connection = self._connection
            if self._exchange is not None and connection is not None and not connection.is_closed:
                return self._exchange
            await self._drop()
            connection = await aio_pika.connect(self.url, timeout=self.timeout)
            try:
                channel = await connection.channel(publisher_confirms=True)
                self._exchange = await channel.declare_exchange(
                    self.exchange_name, aio_pika.ExchangeType.TOPIC, durable=True
                )
            except BaseException:
                await connection.close()
                raise
            self._connection = connection
            log.info("broker.connected", exchange=self.exchange_name)
            return self._exchange

    async def publish(self, event: OutboxEvent) -> bool:
        """Publish and wait for the confirm; True if a queue took it, False if unroutable.

        BrokerUnavailable or PublishRefused when the broker did not confirm it.
        """
        try:
            async with asyncio.timeout(self.timeout):
                exchange = await self._ready_exchange()
                result = await exchange.publish(
                    message_for(event), routing_key=event.type, mandatory=True
                )
        except DeliveryError as exc:
            refusal = type(exc.frame).__name__
            raise PublishRefused(f"broker refused the message: {refusal}") from None
        except TimeoutError:
            await self.reset()
            raise BrokerUnavailable(f"no confirm within {self.timeout:g}s") from None
        except Exception as exc:
            await self.reset()
            raise BrokerUnavailable(f"broker unavailable: {type(exc).__name__}") from None
        return isinstance(result, Basic.Ack)

    async def ping(self) -> None:
        """Connect if needed (the health probe): raises when the broker cannot be reached."""
        try:
            async with asyncio.timeout(self.timeout):
                await self._ready_exchange()
        except Exception:
            await self.reset()
            raise

    async def reset(self) -> None:
        """Drop the connection; the next publish opens a new one."""
        async with self._lock:
            await self._drop()

    async def _drop(self) -> None:
        connection, self._connection, self._exchange = self._connection, None, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()

    async def aclose(self) -> None:
        await self.reset()
