"""Helpers for event tests: a webhook receiver, an SMTP inbox on loopback, webhook setup."""

from __future__ import annotations

import asyncio
from email.message import EmailMessage
from typing import Any

import httpx

from tests.fake_http import FakeHttpServer, Received, Reply

API = "/api/v1"


class Receiver(FakeHttpServer):
    """A webhook endpoint: records every request and answers with a status the test sets.

    `statuses` answers requests in order (then `default_status`); while `hold` is set to an
    unset Event, requests are recorded and then left waiting for an answer.
    """

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[int] = []
        self.default_status = 200
        self.hold: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"{self.base_url}/hook"

    async def close(self) -> None:
        if self.hold is not None:
            self.hold.set()
        await super().close()

    async def respond(self, request: Received) -> Reply:
        if self.hold is not None:
            await self.hold.wait()
        return Reply(self.statuses.pop(0) if self.statuses else self.default_status)

    def event_ids(self) -> list[str]:
        return [r.headers["corebank-event-id"] for r in self.requests]


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies of a mail."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


async def create_webhook(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    url: str,
    event_types: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = {"url": url, "event_types": event_types or ["*"], **extra}
    response = await client.post(f"{API}/webhooks", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def eventually(condition: Any, *, seconds: float = 5.0) -> None:
    """Wait until `condition()` is true (AssertionError after `seconds`)."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")
