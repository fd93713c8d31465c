"""Webhook delivery: signatures a receiver can verify, backoff, giving up, breakers, retries."""

from __future__ import annotations

import hashlib
import hmac
import inspect
import re
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.events.dispatcher import Dispatcher
from corebank.events.schedule import MAX_ATTEMPTS, RETRY_DELAYS, next_attempt_at
from corebank.models import WebhookDelivery
from tests.events.helpers import API, Receiver, create_webhook
from tests.events.test_outbox import emit_one

DOCS = Path(__file__).parents[2] / "docs" / "events.md"

# --- the receiver's side: the recipe from docs/events.md, verbatim ---------------------------

TOLERANCE_SECONDS = 300


def verify_signature(
    secret: str,
    body: bytes,
    header: str,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when `header` (Corebank-Signature) signs the raw `body` with `secret`, recently."""
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    message = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


def test_the_recipe_here_is_the_one_documented() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    recipe = next(b for b in blocks if "def verify_signature" in b)
    assert inspect.getsource(verify_signature) in recipe
    assert f"TOLERANCE_SECONDS = {TOLERANCE_SECONDS}" in recipe


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture
async def frozen_dispatcher(app: Any, clock: FrozenClock) -> AsyncIterator[Dispatcher]:
    """A dispatcher whose breakers also run on the test clock."""
    dispatcher = Dispatcher(
        db=app.state.container.db,
        settings=app.state.container.settings,
        mailer=app.state.container.outgoing.mailer,
        guard=app.state.container.webhook_guard,
        clock=clock,
        breaker_clock=lambda: clock.now().timestamp(),
    )
    yield dispatcher
    await dispatcher.stop()


async def deliveries(client: httpx.AsyncClient, admin: dict[str, str], hook: dict[str, Any]) -> Any:
    response = await client.get(f"{API}/webhooks/{hook['id']}/deliveries", headers=admin)
    assert response.status_code == 200
    return response.json()["items"]


# --- signatures ------------------------------------------------------------------------------


async def test_a_receiver_verifies_the_signature_with_the_documented_recipe(
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    hook = await create_webhook(client, admin, receiver.url)
    await emit_one(db)
    await dispatcher.drain()

    (request,) = receiver.requests
    header = request.headers["corebank-signature"]
    assert re.fullmatch(r"t=\d+,v1=[0-9a-f]{64}", header)
    assert verify_signature(hook["secret"], request.body, header)
    assert not verify_signature(hook["secret"], request.body + b" ", header)
    assert not verify_signature("whsec_wrong", request.body, header)
    assert not verify_signature(hook["secret"], request.body, header, now=time.time() + 301)
    assert not verify_signature(hook["secret"], request.body, "v1=" + header.split("v1=")[1])


# --- backoff and giving up ----------------------------------------------------------------------


def test_the_backoff_schedule_spans_more_than_a_day_then_gives_up() -> None:
    now = FrozenClock().now()
    waits = [next_attempt_at(n, now, jitter=0) for n in range(1, MAX_ATTEMPTS)]
    assert [w - now for w in waits if w] == list(RETRY_DELAYS)
    assert RETRY_DELAYS[0] == timedelta(minutes=1)
    assert sum(RETRY_DELAYS, timedelta()) >= timedelta(hours=24)
    assert next_attempt_at(MAX_ATTEMPTS, now) is None
    stretched = next_attempt_at(1, now, jitter=1)
    assert stretched is not None and stretched - now == timedelta(minutes=1, seconds=6)


async def test_a_failing_endpoint_is_retried_with_backoff_then_given_up(
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    frozen_dispatcher: Dispatcher,
    clock: FrozenClock,
) -> None:
    receiver.default_status = 500
    await create_webhook(client, admin, receiver.url)
    await emit_one(db)

    for attempt in range(1, MAX_ATTEMPTS + 1):
        await frozen_dispatcher.drain()
        assert len(receiver.requests) == attempt  # the breaker lets each due attempt probe
        delivery = await the_delivery(db)
        assert delivery.attempts == attempt
        assert (delivery.last_status_code, delivery.last_error) == (500, "HTTP 500")
        if attempt < MAX_ATTEMPTS:
            assert delivery.status == "pending" and delivery.next_attempt_at is not None
            wait = delivery.next_attempt_at - clock.now()
            assert RETRY_DELAYS[attempt - 1] <= wait <= RETRY_DELAYS[attempt - 1] * 1.1
            await frozen_dispatcher.drain()  # not due yet: nothing is sent
            assert len(receiver.requests) == attempt
            clock.advance(seconds=wait.total_seconds() + 1)

    assert (delivery.status, delivery.next_attempt_at) == ("failed", None)
    assert frozen_dispatcher.outcomes["gave_up"] == 1
    clock.advance(days=3)
    await frozen_dispatcher.drain()
    assert len(receiver.requests) == MAX_ATTEMPTS


async def rows_for(db: Database, endpoint_id: int) -> list[WebhookDelivery]:
    async with db.session() as session:
        stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        return list((await session.scalars(stmt)).all())


async def the_delivery(db: Database) -> WebhookDelivery:
    async with db.session() as session:
        (delivery,) = (await session.scalars(select(WebhookDelivery))).all()
    return delivery


# --- circuit breakers ---------------------------------------------------------------------------


async def test_the_breaker_opens_per_endpoint_and_others_keep_receiving(
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    frozen_dispatcher: Dispatcher,
    clock: FrozenClock,
) -> None:
    broken = Receiver()
    await broken.start()
    try:
        broken.default_status = 503
        bad = await create_webhook(client, admin, broken.url)
        good = await create_webhook(client, admin, receiver.url)
        for n in range(3):  # WEBHOOK_BREAKER_FAILURES = 3 in these tests
            await emit_one(db, account_id=n)
        await frozen_dispatcher.drain()
        assert len(broken.requests) == 3
        assert frozen_dispatcher.breaker(bad["id"]).state == "open"
        assert frozen_dispatcher.breaker(good["id"]).state == "closed"
        assert frozen_dispatcher.open_breakers == 1

        clock.advance(minutes=2)  # the retries are due; the breaker lets one probe through
        await emit_one(db, account_id=99)
        await frozen_dispatcher.drain()

        assert len(broken.requests) == 4  # one probe, which failed: open again
        assert len(receiver.requests) == 4  # the healthy endpoint got every event
        assert frozen_dispatcher.outcomes["circuit_open"] == 3
        logged = await rows_for(db, bad["id"])
        assert sorted(d.last_error or "" for d in logged) == [
            "HTTP 503",
            *["circuit breaker open: not sent"] * 3,
        ]

        broken.default_status = 200  # it recovers: the next probe closes the breaker
        clock.advance(hours=1)
        await frozen_dispatcher.drain()
        assert frozen_dispatcher.breaker(bad["id"]).state == "closed"
        assert frozen_dispatcher.open_breakers == 0
        clock.advance(hours=1)  # the attempts turned away meanwhile come due again
        await frozen_dispatcher.drain()
        assert {d.status for d in await rows_for(db, bad["id"])} == {"succeeded"}
        assert len(set(broken.event_ids())) == 4
    finally:
        await broken.close()


async def test_client_errors_do_not_open_the_breaker(
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    frozen_dispatcher: Dispatcher,
) -> None:
    receiver.default_status = 400
    hook = await create_webhook(client, admin, receiver.url)
    for n in range(5):
        await emit_one(db, account_id=n)
    await frozen_dispatcher.drain()
    assert len(receiver.requests) == 5
    assert frozen_dispatcher.breaker(hook["id"]).state == "closed"
    logged = await deliveries(client, admin, hook)
    assert {(d["status"], d["last_status_code"]) for d in logged} == {("pending", 400)}


# --- the delivery log and manual retry ---------------------------------------------------------


async def test_the_delivery_log_pages_and_filters(
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    receiver.statuses = [200, 500, 200]
    hook = await create_webhook(client, admin, receiver.url)
    for n in range(3):
        await emit_one(db, account_id=n)
    await dispatcher.drain()
    url = f"{API}/webhooks/{hook['id']}/deliveries"

    first = (await client.get(url, params={"limit": 2}, headers=admin)).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await client.get(url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin)
    ids = [d["id"] for d in first["items"] + rest.json()["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 3
    pending = (await client.get(url, params={"status": "pending"}, headers=admin)).json()
    assert [d["last_status_code"] for d in pending["items"]] == [500]
    assert (await client.get(f"{API}/webhooks/999/deliveries", headers=admin)).status_code == 404


async def test_retry_sends_a_delivery_again_now(
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    frozen_dispatcher: Dispatcher,
) -> None:
    receiver.statuses = [500]
    hook = await create_webhook(client, admin, receiver.url)
    other = await create_webhook(client, admin, receiver.url, ["user.locked"])
    await emit_one(db)
    await frozen_dispatcher.drain()
    (delivery,) = await deliveries(client, admin, hook)
    assert delivery["status"] == "pending" and delivery["attempts"] == 1
    retry_url = f"{API}/webhooks/{hook['id']}/deliveries/{delivery['id']}/retry"

    answer = await client.post(retry_url, headers=admin)
    assert answer.status_code == 202
    assert answer.json()["status"] == "pending"
    await frozen_dispatcher.drain()  # due now, not in a minute
    (delivery,) = await deliveries(client, admin, hook)
    assert (delivery["status"], delivery["attempts"]) == ("succeeded", 2)

    assert (await client.post(retry_url, headers=admin)).status_code == 202  # resend a success
    await frozen_dispatcher.drain()
    assert len(receiver.requests) == 3
    foreign = f"{API}/webhooks/{other['id']}/deliveries/{delivery['id']}/retry"
    assert (await client.post(foreign, headers=admin)).status_code == 404
    await client.patch(f"{API}/webhooks/{hook['id']}", json={"active": False}, headers=admin)
    assert (await client.post(retry_url, headers=admin)).status_code == 409


async def test_the_name_is_kept_and_the_next_checked_address_is_tried(
    app: Any,
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        assert host == "hooks.example.com"
        return ["127.0.0.2", "127.0.0.1"]  # nothing listens on the first one

    app.state.container.webhook_guard.resolver = resolve
    await create_webhook(client, admin, f"http://hooks.example.com:{receiver.port}/in?src=cb")
    await emit_one(db)
    await dispatcher.drain()

    (request,) = receiver.requests
    assert request.headers["host"] == f"hooks.example.com:{receiver.port}"
    assert request.path == "/in?src=cb"
