"""Fixtures for event tests: a real HTTP receiver and a real SMTP server, both on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from corebank.events.dispatcher import Dispatcher
from tests.events.helpers import Receiver
from tests.fake_smtp import Inbox, smtp_server
from tests.support import login_as


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    yield server
    await server.close()


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    smtp[0].messages.clear()
    return smtp[0]


@pytest.fixture
def settings_overrides(smtp: tuple[Inbox, int]) -> dict[str, Any]:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp[1],
        "smtp_starttls": False,
        "public_base_url": "https://bank.example",
        "allow_private_webhooks": True,
        "webhook_timeout_seconds": 2.0,
        "webhook_breaker_failures": 3,
        "webhook_breaker_reset_seconds": 30.0,
        "outbox_poll_seconds": 0.05,
        "large_withdrawal_threshold": "1000.00",
    }


@pytest.fixture
async def dispatcher(app: Any) -> AsyncIterator[Dispatcher]:
    """The app's dispatcher (its database, clock and mailer), closed after the test."""
    yield app.state.container.dispatcher
    await app.state.container.dispatcher.stop()


@pytest.fixture
async def admin(app: Any) -> dict[str, str]:
    _, headers = await login_as(app, "admin")
    return headers
