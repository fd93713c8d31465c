"""The outbox dispatcher: fans events out to webhooks and mail, delivers webhooks, and
publishes events to the broker when EVENT_BROKER_URL is set.

One `run_once()` does up to three batches, each claimed as claims.py describes for the backend:

1. Events (fanout.py): due outbox rows in id order become one delivery row per subscribed
   endpoint plus the e-mails they call for; then they are marked published.
2. Deliveries (delivery.py): due delivery rows are POSTed, signed, through the endpoint's
   circuit breaker; each is marked succeeded, rescheduled with backoff, or given up.
3. The event stream (stream.py): due outbox rows are published to RabbitMQ, in order per
   aggregate, and marked streamed once the broker confirmed them (a marker of their own, so the
   stream and the webhooks never wait for each other).

Delivery is at-least-once: a crash between sending and marking sends again later.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.config import Settings
from corebank.core.clock import Clock
from corebank.core.db import Database, is_connection_failure
from corebank.core.errors import ServiceUnavailable
from corebank.core.mail import Mailer
from corebank.core.resilience import CircuitBreaker
from corebank.events import delivery, fanout, repository
from corebank.events.claims import SingleDispatcherLock, process_batch
from corebank.events.outcomes import OutcomeCounts
from corebank.events.repository import DueDelivery
from corebank.events.sender import WebhookSender, counts_against_breaker
from corebank.events.stream import EventStream
from corebank.events.urls import UrlGuard
from corebank.models.outbox import OutboxEvent

log = structlog.get_logger(__name__)

#: Longest pause between passes while passes keep failing (database down).
MAX_ERROR_BACKOFF_SECONDS = 30.0


def is_outage(exc: Exception) -> bool:
    """A pass failed because the database is down (or its breaker open): expected and handled
    by retrying with backoff, unlike a bug."""
    return isinstance(exc, ServiceUnavailable) or is_connection_failure(exc)


@dataclass
class DispatchReport:
    events: int = 0
    deliveries: int = 0
    streamed: int = 0
    full: bool = False

    @property
    def idle(self) -> bool:
        return self.events == 0 and self.deliveries == 0 and self.streamed == 0


class Dispatcher(OutcomeCounts):
    """Delivers the outbox: `run_once()`/`drain()` for one pass, `start()`/`stop()` for a loop."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        mailer: Mailer,
        guard: UrlGuard,
        clock: Clock | None = None,
        breaker_clock: Callable[[], float] = time.monotonic,
        stream: EventStream | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.mailer = mailer
        self.clock = clock or Clock()
        self.sender = WebhookSender(guard=guard, timeout=settings.webhook_timeout_seconds)
        self.batch_size = settings.outbox_batch_size
        self.delivery_batch_size = settings.webhook_concurrency
        self.breakers: dict[int, CircuitBreaker] = {}
        super().__init__("dispatcher")
        self.stream = stream
        self._breaker_clock = breaker_clock
        self._lock = SingleDispatcherLock.for_database(db)
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._outage_since: float | None = None

    # --- observability ---------------------------------------------------------------------

    def breaker(self, endpoint_id: int) -> CircuitBreaker:
        """The circuit breaker of one endpoint (created closed on first use)."""
        breaker = self.breakers.get(endpoint_id)
        if breaker is None:
            breaker = CircuitBreaker(
                f"webhook-{endpoint_id}",
                failure_threshold=self.settings.webhook_breaker_failures,
                reset_timeout=self.settings.webhook_breaker_reset_seconds,
                is_failure=counts_against_breaker,
                clock=self._breaker_clock,
            )
            self.breakers[endpoint_id] = breaker
        return breaker

    @property
    def open_breakers(self) -> int:
        """Endpoints whose breaker is open or half-open (in this process)."""
        return sum(1 for b in self.breakers.values() if b.state != "closed")

    # --- one pass ---------------------------------------------------------------------------

    async def run_once(self) -> DispatchReport:
        """Fan out one batch of due events, attempt one batch of due deliveries, then publish
        one batch of due events to the broker (when there is one)."""
        events = await self._fan_out()
        deliveries = await self._deliver()
        streamed = await self._stream()
        full = (
            events >= self.batch_size
            or deliveries >= self.delivery_batch_size
            or streamed >= self.batch_size
        )
        return DispatchReport(events=events, deliveries=deliveries, streamed=streamed, full=full)

    async def drain(self, *, max_passes: int = 1000) -> DispatchReport:
        """Run passes until nothing is due; return the totals."""
        total = DispatchReport()
        for _ in range(max_passes):
            report = await self.run_once()
            if report.idle:
                break
            total.events += report.events
            total.deliveries += report.deliveries
            total.streamed += report.streamed
        return total

    async def _fan_out(self) -> int:
        async def prepare(
            session: AsyncSession, events: Sequence[OutboxEvent]
        ) -> list[fanout.EventPlan]:
            return await fanout.plan(session, events, settings=self.settings, now=self.clock.now())

        async def work(plans: list[fanout.EventPlan]) -> list[fanout.EventPlan]:
            return await fanout.send_mails(self.mailer, plans)

        async def apply(session: AsyncSession, plans: list[fanout.EventPlan]) -> None:
            await fanout.mark(session, plans, now=self.clock.now())

        return await process_batch(
            self.db,
            claim=partial(repository.due_events, now=self.clock.now(), limit=self.batch_size),
            prepare=prepare,
            work=work,
            apply=apply,
        )

    async def _deliver(self) -> int:
        outcomes: list[str] = []

        async def prepare(_: AsyncSession, due: Sequence[DueDelivery]) -> Sequence[DueDelivery]:
            return due

        async def work(due: Sequence[DueDelivery]) -> list[delivery.Attempt]:
            attempts = [
                delivery.attempt(
                    self.sender,
                    self.breaker(item.delivery.endpoint_id),
                    delivery=item.delivery,
                    url=item.url,
                    secret=item.secret,
                    event=item.event,
                    now=self.clock.now(),
                )
                for item in due
            ]
            return list(await asyncio.gather(*attempts))

        async def apply(session: AsyncSession, attempts: list[delivery.Attempt]) -> None:
            outcomes[:] = await delivery.mark(session, attempts, now=self.clock.now())

        count = await process_batch(
            self.db,
            claim=partial(
                repository.due_deliveries, now=self.clock.now(), limit=self.delivery_batch_size
            ),
            prepare=prepare,
            work=work,
            apply=apply,
        )
        for outcome in outcomes:  # counted once the outcome is committed
            self.record_outcome(outcome)
        return count

    async def _stream(self) -> int:
        if self.stream is None:
            return 0
        return await self.stream.run_batch(self.db, now=self.clock.now, limit=self.batch_size)

    # --- the loop -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the in-process loop is running (started and not stopped)."""
        return self._task is not None and not self._task.done()

    def try_lock(self) -> bool:
        """Become the one dispatcher of a SQLite file (always True on PostgreSQL)."""
        return self._lock is None or self._lock.acquire()

    async def run_forever(self) -> None:
        """Pass after pass until `request_stop()`; sleeps OUTBOX_POLL_SECONDS when idle."""
        stop, failures = self._stop, 0
        log.info("dispatcher.started", backend=self.db.dialect)
        try:
            while not stop.is_set():
                busy = False
                try:
                    if self.try_lock():
                        busy = (await self.run_once()).full
                    self._pass_succeeded(failures)
                    failures = 0
                except Exception as exc:
                    failures += 1
                    self._pass_failed(exc, failures)
                if not busy:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self._pause(failures))
        finally:
            if self._lock is not None:
                self._lock.release()
            log.info("dispatcher.stopped")

    def _pass_failed(self, exc: Exception, failures: int) -> None:
        """A bug: an error with its trace, every time. An outage: one warning when it starts,
        with the error's class; each failed pass's trace at DEBUG only."""
        if not is_outage(exc):
            log.error("dispatcher.pass_failed", consecutive=failures, exc_info=exc)
            return
        log.debug("dispatcher.pass_failed", consecutive=failures, exc_info=exc)
        if self._outage_since is None:
            self._outage_since = time.monotonic()
            cause = exc.__cause__
            log.warning(
                "dispatcher.outage",
                error=type(exc).__name__,
                cause=type(cause).__name__ if cause is not None else None,
                retry_in_seconds=self._pause(failures),
            )

    def _pass_succeeded(self, failures: int) -> None:
        """After an outage: one line saying that passes succeed again, and after how long."""
        if self._outage_since is None:
            return
        seconds = round(time.monotonic() - self._outage_since, 1)
        self._outage_since = None
        log.info("dispatcher.recovered", failures=failures, outage_seconds=seconds)

    def _pause(self, failures: int) -> float:
        """Seconds to wait before the next pass: the poll interval, doubled per failed pass."""
        poll = self.settings.outbox_poll_seconds
        if not failures:
            return poll
        return max(poll, min(poll * 2 ** min(failures, 16), MAX_ERROR_BACKOFF_SECONDS))

    def request_stop(self) -> None:
        """Let the loop finish its current pass and return."""
        self._stop.set()

    def start(self) -> None:
        """Run the loop as a task of the running event loop (the in-process dispatcher)."""
        if not self.running:
            self._stop = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(
                self.run_forever(), name="outbox-dispatcher"
            )

    async def stop(self, *, grace_seconds: float = 10.0) -> None:
        """Stop the loop (cancelling a pass still running after the grace) and close clients."""
        task, self._task = self._task, None
        self.request_stop()
        if task is not None:
            _, pending = await asyncio.wait({task}, timeout=grace_seconds)
            if pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._lock is not None:
            self._lock.release()
        await self.sender.aclose()
        if self.stream is not None:
            await self.stream.aclose()
