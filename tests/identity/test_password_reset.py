"""Forgot and reset password end to end through a real SMTP server on loopback."""

import asyncio
import re
from collections.abc import Iterator
from email.message import Message
from typing import Any

import httpx
import pytest

from corebank.core.clock import FrozenClock
from tests.fake_smtp import Inbox, smtp_server
from tests.identity.helpers import bearer, login, register, tokens


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def settings_overrides(smtp: tuple[Inbox, int]) -> dict[str, Any]:
    _, port = smtp
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_starttls": False,
        "public_base_url": "https://bank.example",
    }


@pytest.fixture
def inbox(smtp: tuple[Inbox, int]) -> Inbox:
    smtp[0].messages.clear()
    return smtp[0]


async def forgot(client: httpx.AsyncClient, email: str) -> httpx.Response:
    return await client.post("/api/v1/auth/password/forgot", json={"email": email})


async def reset(client: httpx.AsyncClient, token: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/password/reset", json={"token": token, "new_password": password}
    )


async def mail_to(app: Any, inbox: Inbox, count: int = 1) -> list[Message]:
    await app.state.container.outgoing.drain()
    for _ in range(50):
        if len(inbox.messages) >= count:
            break
        await asyncio.sleep(0.02)
    return inbox.messages


def code_in(message: Message) -> str:
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    match = re.search(r"reset-password\?code=([A-Za-z0-9_-]+)", body.decode())
    assert match, body
    return match.group(1)


async def test_reset_flow_end_to_end(client: httpx.AsyncClient, app: Any, inbox: Inbox) -> None:
    await register(client)
    before = await tokens(client)
    for n in range(4):
        await login(client, password=f"Wrong-{n}!")
    answer = await forgot(client, "ALICE@example.com")
    assert answer.status_code == 202
    messages = await mail_to(app, inbox)
    assert len(messages) == 1
    assert messages[0]["To"] == "alice@example.com"
    body = messages[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "https://bank.example/reset-password?code=" in body
    code = code_in(messages[0])

    assert (await reset(client, code, "Br4nd-New-Secret!")).status_code == 204
    assert (await login(client)).status_code == 401
    assert (await login(client, password="Br4nd-New-Secret!")).status_code == 200
    me = await client.get("/api/v1/users/me", headers=bearer(before["access_token"]))
    assert me.status_code == 401  # every session ended
    assert (await reset(client, code, "Another-S3cret!")).status_code == 400  # single use


async def test_reset_clears_lockout(client: httpx.AsyncClient, app: Any, inbox: Inbox) -> None:
    await register(client)
    for n in range(5):
        await login(client, password=f"Wrong-{n}!")
    assert (await login(client)).status_code == 403
    await forgot(client, "alice@example.com")
    code = code_in((await mail_to(app, inbox))[0])
    assert (await reset(client, code, "Br4nd-New-Secret!")).status_code == 204
    assert (await login(client, password="Br4nd-New-Secret!")).status_code == 200


async def test_unknown_email_gets_the_same_answer_and_no_mail(
    client: httpx.AsyncClient, app: Any, inbox: Inbox
) -> None:
    await register(client)
    known = await forgot(client, "alice@example.com")
    unknown = await forgot(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len(await mail_to(app, inbox)) == 1


async def test_expired_code_is_refused(
    client: httpx.AsyncClient, app: Any, inbox: Inbox, clock: FrozenClock
) -> None:
    await register(client)
    await forgot(client, "alice@example.com")
    code = code_in((await mail_to(app, inbox))[0])
    clock.advance(minutes=31)
    assert (await reset(client, code, "Br4nd-New-Secret!")).status_code == 400


async def test_code_dies_when_the_password_changes(
    client: httpx.AsyncClient, app: Any, inbox: Inbox
) -> None:
    await register(client)
    await forgot(client, "alice@example.com")
    code = code_in((await mail_to(app, inbox))[0])
    pair = await tokens(client)
    changed = await client.post(
        "/api/v1/auth/password/change",
        headers=bearer(pair["access_token"]),
        json={"current_password": "Tr0ub4dor&3-horse", "new_password": "Changed-S3cret!"},
    )
    assert changed.status_code == 204
    assert (await reset(client, code, "Br4nd-New-Secret!")).status_code == 400


async def test_weak_new_password_is_422_and_code_survives(
    client: httpx.AsyncClient, app: Any, inbox: Inbox
) -> None:
    await register(client)
    await forgot(client, "alice@example.com")
    code = code_in((await mail_to(app, inbox))[0])
    assert (await reset(client, code, "short")).status_code == 422
    assert (await reset(client, code, "Br4nd-New-Secret!")).status_code == 204


async def test_link_ignores_the_host_header(
    client: httpx.AsyncClient, app: Any, inbox: Inbox
) -> None:
    await register(client)
    await client.post(
        "/api/v1/auth/password/forgot",
        json={"email": "alice@example.com"},
        headers={"Host": "evil.example"},
    )
    body = (await mail_to(app, inbox))[0].get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "evil.example" not in body
