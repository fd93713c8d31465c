"""Holds: reserve, capture (partial) or void once, one winner under races, expiry once."""

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corebank.accounts.expiry import expire_due_holds
from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.ledger.verify import verify_ledger
from corebank.main import create_app
from corebank.models import OutboxEvent
from tests.ledger.helpers import API, balances, entry_count, funded_account, key
from tests.support import login_as


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def app(settings: Any, db: Database, clock: FrozenClock) -> Any:
    return create_app(settings, database=db, clock=clock)


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


async def place(
    client: httpx.AsyncClient, staff: dict[str, str], account_id: int, amount: str, **extra: Any
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/accounts/{account_id}/holds", json={"amount": amount, **extra}, headers=staff
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_hold_reduces_available_then_partial_capture_releases_the_rest(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    account, headers, _ = await funded_account(client, app, staff, "50.00")
    url = f"{API}/accounts/{account['id']}"
    hold = await place(client, staff, account["id"], "20.00", description="hotel")
    assert (hold["status"], hold["amount"], hold["captured_amount"]) == ("open", "20.00", "0.00")
    shown = (await client.get(url, headers=headers)).json()
    assert (shown["balance"], shown["available_balance"]) == ("50.00", "30.00")
    listed = (await client.get(f"{url}/holds", headers=headers)).json()["items"]
    assert [h["id"] for h in listed] == [hold["id"]]
    too_much = await client.post(
        f"{API}/holds/{hold['id']}/capture", json={"amount": "20.01"}, headers=staff
    )
    assert too_much.status_code == 422
    assert too_much.json()["type"].endswith("/capture-exceeds-hold")
    captured = await client.post(
        f"{API}/holds/{hold['id']}/capture", json={"amount": "12.50"}, headers=staff
    )
    assert captured.status_code == 201, captured.text
    body = captured.json()
    assert (body["hold"]["status"], body["hold"]["captured_amount"]) == ("captured", "12.50")
    assert body["transaction"]["type"] == "hold_capture"
    assert body["hold"]["transaction_id"] == body["transaction"]["id"]
    assert body["transaction"]["balances"] == [
        {"account_id": account["id"], "balance": "37.50", "available_balance": "37.50"}
    ]
    entries = await entry_count(db)
    for action, payload in (("capture", {}), ("void", None)):
        again = await client.post(f"{API}/holds/{hold['id']}/{action}", json=payload, headers=staff)
        assert again.status_code == 409
        assert again.json()["type"].endswith("/hold-not-open")
    assert await entry_count(db) == entries
    assert (await balances(db, account["id"]))[account["id"]] == (3750, 0)


async def test_void_releases_everything_and_blocks_capture(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    account, _, _ = await funded_account(client, app, staff, "10.00")
    hold = await place(client, staff, account["id"], "10.00")
    refused = await client.post(
        f"{API}/accounts/{account['id']}/holds", json={"amount": "0.01"}, headers=staff
    )
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/insufficient-funds")
    voided = await client.post(f"{API}/holds/{hold['id']}/void", headers=staff)
    assert voided.status_code == 200 and voided.json()["status"] == "voided"
    after = await client.post(f"{API}/holds/{hold['id']}/capture", json={}, headers=staff)
    assert after.status_code == 409
    assert (await balances(db, account["id"]))[account["id"]] == (1000, 0)
    assert (await client.post(f"{API}/holds/999999/void", headers=staff)).status_code == 404


async def test_concurrent_capture_and_void_have_one_winner(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    account, _, _ = await funded_account(client, app, staff, "100.00")
    holds = [await place(client, staff, account["id"], "5.00") for _ in range(8)]
    entries = await entry_count(db)
    results = await asyncio.gather(
        *(
            request
            for hold in holds
            for request in (
                client.post(f"{API}/holds/{hold['id']}/capture", json={}, headers=staff),
                client.post(f"{API}/holds/{hold['id']}/void", headers=staff),
            )
        )
    )
    captures = 0
    for capture, void in zip(results[::2], results[1::2], strict=True):
        outcomes = sorted([capture.status_code, void.status_code])
        assert outcomes in ([201, 409], [200, 409]), outcomes
        captures += capture.status_code == 201
    assert await entry_count(db) == entries + captures
    assert (await balances(db, account["id"]))[account["id"]] == (10000 - 500 * captures, 0)
    assert (await verify_ledger(db)).ok


async def test_expiry_releases_exactly_once(
    app: Any,
    client: httpx.AsyncClient,
    db: Database,
    staff: dict[str, str],
    clock: FrozenClock,
) -> None:
    account, headers, _ = await funded_account(client, app, staff, "30.00")
    url = f"{API}/accounts/{account['id']}"
    lazy = await place(client, staff, account["id"], "10.00", expires_in_seconds=60)
    swept = await place(client, staff, account["id"], "5.00", expires_in_seconds=120)
    kept = await place(client, staff, account["id"], "1.00")
    clock.advance(seconds=61)
    shown = (await client.get(url, headers=headers)).json()
    assert shown["available_balance"] == "24.00"  # 30 - 5 - 1: the first hold expired
    capture = await client.post(f"{API}/holds/{lazy['id']}/capture", json={}, headers=staff)
    assert capture.status_code == 409
    assert "expired" in capture.json()["detail"]
    clock.advance(seconds=60)
    assert await expire_due_holds(db, clock.now()) == 1
    assert await expire_due_holds(db, clock.now()) == 0
    statuses = {
        h["id"]: h["status"]
        for h in (await client.get(f"{url}/holds", headers=headers)).json()["items"]
    }
    assert statuses == {lazy["id"]: "expired", swept["id"]: "expired", kept["id"]: "open"}
    assert (await client.post(f"{API}/holds/{swept['id']}/void", headers=staff)).status_code == 409
    assert (await balances(db, account["id"]))[account["id"]] == (3000, 100)
    async with db.session() as session:
        expired_events = await session.scalar(
            select(func.count()).where(OutboxEvent.type == "hold.expired")
        )
    assert expired_events == 2
    withdrawal = await client.post(
        f"{url}/withdrawals", json={"amount": "29.00"}, headers={**headers, **key()}
    )
    assert withdrawal.status_code == 201
    assert (await verify_ledger(db)).ok


async def test_withdrawal_sees_a_hold_expired_but_not_yet_swept(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], clock: FrozenClock
) -> None:
    account, headers, _ = await funded_account(client, app, staff, "10.00")
    await place(client, staff, account["id"], "10.00", expires_in_seconds=5)
    url = f"{API}/accounts/{account['id']}/withdrawals"
    early = await client.post(url, json={"amount": "10.00"}, headers={**headers, **key()})
    assert early.status_code == 422
    clock.advance(seconds=6)
    late = await client.post(url, json={"amount": "10.00"}, headers={**headers, **key()})
    assert late.status_code == 201
    assert (await balances(db, account["id"]))[account["id"]] == (0, 0)


async def test_a_refused_withdrawal_keeps_the_hold_it_would_have_expired(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], clock: FrozenClock
) -> None:
    """The refusal rolls back the expiry it did on the way, and its hold.expired event too."""
    account, headers, _ = await funded_account(client, app, staff, "10.00")
    await place(client, staff, account["id"], "4.00", expires_in_seconds=5)
    clock.advance(seconds=6)
    url = f"{API}/accounts/{account['id']}/withdrawals"
    refused = await client.post(url, json={"amount": "10.01"}, headers={**headers, **key()})
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/insufficient-funds")
    async with db.session() as session:
        expired = await session.scalar(
            select(func.count()).where(OutboxEvent.type == "hold.expired")
        )
    assert expired == 0
    assert (await balances(db, account["id"]))[account["id"]] == (1000, 400)
