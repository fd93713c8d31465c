"""Several dispatchers: on PostgreSQL they split the work (SKIP LOCKED); SQLite allows one."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import httpx
import pytest

from corebank.config import Settings
from corebank.core import outbox
from corebank.core.db import Database
from corebank.events.dispatcher import Dispatcher
from corebank.events.urls import UrlGuard
from tests.events.helpers import Receiver, create_webhook, eventually

EVENTS = 200


def make_dispatcher(settings: Settings, db: Database) -> Dispatcher:
    class NoMail:
        async def send(self, mail: Any) -> None:
            raise AssertionError("no mail expected")

    return Dispatcher(db=db, settings=settings, mailer=NoMail(), guard=UrlGuard(allow_private=True))


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    return {**settings_overrides, "outbox_batch_size": 20, "webhook_concurrency": 10}


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgres"])
async def test_two_dispatchers_on_postgres_never_send_an_event_twice(
    settings: Settings,
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    await create_webhook(client, admin, receiver.url)
    async with db.transaction() as session:
        emitted = [outbox.emit(session, "account.closed", {"account_id": n}) for n in range(EVENTS)]
    engines = [Database(settings), Database(settings)]  # two instances, two pools
    dispatchers = [make_dispatcher(settings, engine) for engine in engines]
    try:
        reports = await asyncio.gather(*(d.drain() for d in dispatchers))
    finally:
        for dispatcher, engine in zip(dispatchers, engines, strict=True):
            await dispatcher.stop()
            await engine.dispose()

    received = Counter(receiver.event_ids())
    assert set(received) == set(emitted)
    assert max(received.values()) == 1  # exactly once: no crash, no duplicate
    assert sum(r.events for r in reports) == EVENTS
    assert sum(r.deliveries for r in reports) == EVENTS
    assert all(r.events > 0 and r.deliveries > 0 for r in reports)  # both did share the work
    assert all(d.outcomes["succeeded"] > 0 for d in dispatchers)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_sqlite_allows_one_dispatcher_loop_per_database_file(
    settings: Settings, db: Database
) -> None:
    first, second = make_dispatcher(settings, db), make_dispatcher(settings, db)
    try:
        assert first.try_lock()
        assert not second.try_lock()  # another process (or object) would stand by
        await first.stop()
        assert second.try_lock()
    finally:
        await first.stop()
        await second.stop()


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_a_standby_loop_takes_over_when_the_dispatcher_stops(
    settings: Settings,
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
) -> None:
    await create_webhook(client, admin, receiver.url)
    active, standby = make_dispatcher(settings, db), make_dispatcher(settings, db)
    try:
        active.start()
        await asyncio.sleep(0.1)
        standby.start()
        async with db.transaction() as session:
            first = outbox.emit(session, "account.closed", {"account_id": 1})
        await eventually(lambda: active.outcomes["succeeded"] == 1)
        assert standby.outcomes["succeeded"] == 0
        await active.stop()
        async with db.transaction() as session:
            second = outbox.emit(session, "account.closed", {"account_id": 2})
        await eventually(lambda: standby.outcomes["succeeded"] == 1)
        assert receiver.event_ids() == [first, second]
    finally:
        await active.stop()
        await standby.stop()
