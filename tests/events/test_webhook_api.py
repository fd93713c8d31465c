"""Webhook endpoint administration: CRUD, the secret shown once, URL rules (SSRF), the log."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from corebank.core.db import Database
from corebank.events.dispatcher import Dispatcher
from tests.events.helpers import API, Receiver, create_webhook
from tests.events.test_outbox import emit_one
from tests.support import login_as

PUBLIC_URL = "https://93.184.215.14/hooks/corebank"
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def settings_overrides(settings_overrides: dict[str, Any]) -> dict[str, Any]:
    return {**settings_overrides, "allow_private_webhooks": False}


async def test_crud_and_the_secret_is_shown_once(
    app: Any, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await create_webhook(
        client, admin, PUBLIC_URL, ["transaction.posted", "account.frozen"], description="ERP"
    )
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["event_types"] == ["account.frozen", "transaction.posted"]
    assert created["active"] is True
    url = f"{API}/webhooks/{created['id']}"

    read = await client.get(url, headers=admin)
    listed = await client.get(f"{API}/webhooks", headers=admin)
    assert read.status_code == 200 and listed.status_code == 200
    assert "secret" not in read.json()
    assert [w["id"] for w in listed.json()["items"]] == [created["id"]]
    assert created["secret"] not in read.text + listed.text

    patched = await client.patch(
        url, json={"event_types": ["*"], "description": None}, headers=admin
    )
    assert patched.status_code == 200
    assert patched.json()["event_types"] == ["*"]
    assert patched.json()["description"] is None
    assert created["secret"] not in patched.text

    assert (await client.delete(url, headers=admin)).status_code == 204
    assert (await client.get(url, headers=admin)).status_code == 404
    assert (await client.delete(url, headers=admin)).status_code == 404


@SQLITE_ONLY  # validation only: one backend is enough
async def test_only_admins_manage_webhooks(app: Any, client: httpx.AsyncClient) -> None:
    _, staff = await login_as(app, "staff")
    body = {"url": PUBLIC_URL, "event_types": ["*"]}
    assert (await client.post(f"{API}/webhooks", json=body)).status_code == 401
    assert (await client.post(f"{API}/webhooks", json=body, headers=staff)).status_code == 403
    assert (await client.get(f"{API}/webhooks", headers=staff)).status_code == 403


@SQLITE_ONLY  # validation only: one backend is enough
@pytest.mark.parametrize(
    ("event_types", "fragment"),
    [
        (["transaction.exploded"], "transaction.exploded"),
        ([], "at least 1"),
    ],
)
async def test_event_types_come_from_the_catalogue(
    client: httpx.AsyncClient, admin: dict[str, str], event_types: list[str], fragment: str
) -> None:
    response = await client.post(
        f"{API}/webhooks", json={"url": PUBLIC_URL, "event_types": event_types}, headers=admin
    )
    assert response.status_code == 422
    assert fragment in response.text
    assert response.json()["errors"][0]["loc"] == ["body", "event_types"]


@SQLITE_ONLY  # validation only: one backend is enough
async def test_the_catalogue_is_listed_with_schemas(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get(f"{API}/webhooks/event-types", headers=admin)
    assert response.status_code == 200
    types = {t["type"]: t for t in response.json()}
    assert {"user.registered", "transaction.posted", "hold.expired"} <= set(types)
    assert "amount_minor" in types["transaction.posted"]["data_schema"]["properties"]


async def test_a_url_on_127_0_0_1_is_refused_by_default(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(
        f"{API}/webhooks",
        json={"url": "http://127.0.0.1:8080/hook", "event_types": ["*"]},
        headers=admin,
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/webhook-url-refused")
    assert problem["errors"][0]["loc"] == ["body", "url"]
    assert "127.0.0.1" in problem["detail"]


@SQLITE_ONLY  # validation only: one backend is enough
async def test_a_non_http_url_is_invalid(client: httpx.AsyncClient, admin: dict[str, str]) -> None:
    response = await client.post(
        f"{API}/webhooks", json={"url": "ftp://93.184.215.14/", "event_types": ["*"]}, headers=admin
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("/invalid-webhook-url")


@SQLITE_ONLY  # validation only: one backend is enough
async def test_a_hostname_resolving_to_loopback_is_refused(
    app: Any, client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return {"hooks.example.com": ["93.184.215.14", "127.0.0.1"]}[host]

    app.state.container.webhook_guard.resolver = resolve
    response = await client.post(
        f"{API}/webhooks",
        json={"url": "https://hooks.example.com/x", "event_types": ["*"]},
        headers=admin,
    )
    assert response.status_code == 422
    assert "127.0.0.1" in response.json()["detail"]


async def test_changing_the_url_is_checked_too(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await create_webhook(client, admin, PUBLIC_URL)
    response = await client.patch(
        f"{API}/webhooks/{created['id']}", json={"url": "http://10.0.0.1/"}, headers=admin
    )
    assert response.status_code == 422
    nulled = await client.patch(
        f"{API}/webhooks/{created['id']}", json={"url": None}, headers=admin
    )
    assert nulled.status_code == 422


async def test_rebinding_to_a_private_address_is_refused_at_delivery(
    app: Any,
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    receiver: Receiver,
    dispatcher: Dispatcher,
) -> None:
    answers = {"hooks.example.com": ["93.184.215.14"]}

    async def resolve(host: str, port: int) -> list[str]:
        return answers[host]

    app.state.container.webhook_guard.resolver = resolve
    hook = await create_webhook(client, admin, f"http://hooks.example.com:{receiver.port}/hook")
    answers["hooks.example.com"] = ["127.0.0.1"]  # the name now points inside
    await emit_one(db)

    await dispatcher.drain()

    assert receiver.requests == []
    log = (await client.get(f"{API}/webhooks/{hook['id']}/deliveries", headers=admin)).json()
    (delivery,) = log["items"]
    assert delivery["status"] == "pending"
    assert delivery["attempts"] == 1
    assert "not a public address" in delivery["last_error"]
    assert dispatcher.outcomes["refused"] == 1


async def test_ids_beyond_64_bits_are_422_not_500(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    """Found by the API fuzzer: an id the database cannot hold overflowed the driver (500)."""
    big = 2**63
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/webhooks/{big}", None),
        ("PATCH", f"/webhooks/{big}", {"active": False}),
        ("DELETE", f"/webhooks/{big}", None),
        ("GET", f"/webhooks/{big}/deliveries", None),
        ("POST", f"/webhooks/{big}/deliveries/1/retry", None),
        ("POST", f"/webhooks/1/deliveries/{big}/retry", None),
    ]
    for method, path, body in requests:
        response = await client.request(method, API + path, json=body, headers=admin)
        assert response.status_code == 422, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert (await client.get(f"{API}/webhooks/{big - 1}", headers=admin)).status_code == 404
