"""Fixtures for event tests: a real HTTP receiver and a real SMTP server, both on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from corebank.events.dispatcher import Dispatcher
from tests.events.helpers import Inbox, Receiver, free_port
from tests.support import login_as


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    server = Receiver()
    await server.start()
    yield server
    await server.close()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def inbox(smtp_server: tuple[Inbox, int]) -> Inbox:
    smtp_server[0].messages.clear()
    return smtp_server[0]


@pytest.fixture
def settings_overrides(smtp_server: tuple[Inbox, int]) -> dict[str, Any]:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp_server[1],
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
