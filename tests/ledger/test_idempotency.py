"""Idempotency-Key: replays move nothing, a changed body is 422, refusals stay refused."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.main import create_app
from corebank.models import IdempotencyKey
from tests.ledger.helpers import (
    API,
    balances,
    deposit,
    entry_count,
    funded_account,
    key,
)
from tests.support import auth_headers, login_as


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def app(settings: Any, db: Database, clock: FrozenClock) -> Any:
    return create_app(settings, database=db, clock=clock)


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


@pytest.fixture
async def setup(
    app: Any, client: httpx.AsyncClient, staff: dict[str, str]
) -> AsyncIterator[tuple[dict[str, Any], dict[str, str], Any]]:
    account, headers, user = await funded_account(client, app, staff, "100.00")
    yield account, headers, user


async def test_sequential_replay_returns_the_first_response(
    client: httpx.AsyncClient, db: Database, setup: Any
) -> None:
    account, headers, _ = setup
    url = f"{API}/accounts/{account['id']}/withdrawals"
    same = {**headers, **key()}
    first = await client.post(url, json={"amount": "10.00"}, headers=same)
    assert first.status_code == 201 and "Idempotency-Replayed" not in first.headers
    entries = await entry_count(db)
    for _ in range(3):
        again = await client.post(url, json={"amount": "10.00"}, headers=same)
        assert again.status_code == 201
        assert again.headers["Idempotency-Replayed"] == "true"
        assert again.json() == first.json()
    assert await entry_count(db) == entries
    assert (await balances(db, account["id"]))[account["id"]] == (9000, 0)


async def test_same_key_different_body_is_422_and_validation_errors_are_not_stored(
    client: httpx.AsyncClient, db: Database, setup: Any
) -> None:
    account, headers, _ = setup
    url = f"{API}/accounts/{account['id']}/withdrawals"
    same = {**headers, **key()}
    assert (await client.post(url, json={"amount": "10.00"}, headers=same)).status_code == 201
    entries = await entry_count(db)
    changed = await client.post(url, json={"amount": "11.00"}, headers=same)
    assert changed.status_code == 422
    assert changed.json()["type"].endswith("/idempotency-key-reused")
    pin_added = await client.post(
        url, json={"amount": "10.00"}, headers={**same, "X-Transaction-PIN": "1234"}
    )
    assert pin_added.status_code == 422
    assert await entry_count(db) == entries
    same = {**headers, **key()}
    assert (await client.post(url, json={"amount": "1.001"}, headers=same)).status_code == 422
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1
    assert (await client.post(url, json={"amount": "1.00"}, headers=same)).status_code == 201


async def test_keys_are_scoped_per_user_and_route(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], setup: Any
) -> None:
    account, headers, _ = setup
    other, other_headers, _ = await funded_account(client, app, staff, "100.00")
    shared = key()
    for who, target in ((headers, account), (other_headers, other)):
        response = await client.post(
            f"{API}/accounts/{target['id']}/withdrawals",
            json={"amount": "1.00"},
            headers={**who, **shared},
        )
        assert response.status_code == 201
        assert "Idempotency-Replayed" not in response.headers
    transfer = await client.post(
        f"{API}/transfers",
        json={"from_account_id": account["id"], "to_account_id": other["id"], "amount": "1.00"},
        headers={**headers, **shared},
    )
    assert transfer.status_code == 201 and "Idempotency-Replayed" not in transfer.headers
    elsewhere = await client.post(
        f"{API}/accounts/{other['id']}/withdrawals",
        json={"amount": "1.00"},
        headers={**headers, **shared},
    )
    assert elsewhere.status_code == 422  # same route, another account: another request


async def test_refused_then_funded_then_replayed_stays_refused(
    client: httpx.AsyncClient, db: Database, staff: dict[str, str], setup: Any
) -> None:
    account, headers, _ = setup
    url = f"{API}/accounts/{account['id']}/withdrawals"
    same = {**headers, **key()}
    refused = await client.post(url, json={"amount": "150.00"}, headers=same)
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/insufficient-funds")
    await deposit(client, staff, account["id"], "100.00")
    replay = await client.post(url, json={"amount": "150.00"}, headers=same)
    assert replay.status_code == 422
    assert replay.headers["Idempotency-Replayed"] == "true"
    assert replay.headers["content-type"] == "application/problem+json"
    assert replay.json() == refused.json()
    assert (await balances(db, account["id"]))[account["id"]] == (20000, 0)
    fresh = await client.post(url, json={"amount": "150.00"}, headers={**headers, **key()})
    assert fresh.status_code == 201


async def test_fifty_concurrent_replays_move_money_once(
    client: httpx.AsyncClient, db: Database, setup: Any
) -> None:
    account, headers, _ = setup
    url = f"{API}/accounts/{account['id']}/withdrawals"
    same = {**headers, **key()}
    entries = await entry_count(db)
    responses = await asyncio.gather(
        *(client.post(url, json={"amount": "7.00"}, headers=same) for _ in range(50))
    )
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    created = [r.json() for r in responses if r.status_code == 201]
    assert created and all(body == created[0] for body in created)
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.json()["type"].endswith("/idempotency-request-in-progress")
    if db.dialect == "sqlite":
        assert statuses.count(201) == 50  # writers queue, then replay
    assert await entry_count(db) == entries + 1
    assert (await balances(db, account["id"]))[account["id"]] == (9300, 0)
    replay = await client.post(url, json={"amount": "7.00"}, headers=same)
    assert replay.status_code == 201 and replay.json() == created[0]


async def test_staff_may_omit_the_key_and_keys_expire_after_a_day(
    app: Any,
    client: httpx.AsyncClient,
    db: Database,
    staff: dict[str, str],
    clock: FrozenClock,
    setup: Any,
) -> None:
    account, headers, user = setup
    url = f"{API}/accounts/{account['id']}/withdrawals"
    for _ in range(2):
        assert (await client.post(url, json={"amount": "1.00"}, headers=staff)).status_code == 201
    same = {**headers, **key()}
    first = await client.post(url, json={"amount": "1.00"}, headers=same)
    clock.advance(hours=23, minutes=59)
    same = {**await auth_headers(app, user), "Idempotency-Key": same["Idempotency-Key"]}
    assert (await client.post(url, json={"amount": "1.00"}, headers=same)).json() == first.json()
    clock.advance(minutes=2)
    same = {**await auth_headers(app, user), "Idempotency-Key": same["Idempotency-Key"]}
    later = await client.post(url, json={"amount": "1.00"}, headers=same)
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert (await balances(db, account["id"]))[account["id"]] == (9600, 0)
