"""Reversals: the opposite entry, linked, at most once; allowed to overdraw (documented)."""

import asyncio
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from corebank.core.db import Database
from corebank.ledger.verify import verify_ledger
from corebank.models import OutboxEvent
from tests.ledger.helpers import API, balances, deposit, entry_count, funded_account, key
from tests.support import login_as


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


@pytest.fixture
async def admin(app: Any) -> dict[str, str]:
    return (await login_as(app, "admin"))[1]


async def reverse(
    client: httpx.AsyncClient, who: dict[str, str], entry_id: int, reason: str = "mistake"
) -> httpx.Response:
    return await client.post(
        f"{API}/transactions/{entry_id}/reverse", json={"reason": reason}, headers=who
    )


async def test_reversal_posts_the_opposite_once(
    app: Any,
    client: httpx.AsyncClient,
    db: Database,
    staff: dict[str, str],
    admin: dict[str, str],
) -> None:
    account, _, _ = await funded_account(client, app, staff, "")
    posted = await deposit(client, staff, account["id"], "40.00")
    assert (await reverse(client, staff, posted["id"])).status_code == 403
    response = await reverse(client, admin, posted["id"], "keyed twice")
    assert response.status_code == 201, response.text
    reversal = response.json()
    assert reversal["type"] == "reversal" and reversal["description"] == "keyed twice"
    assert reversal["reverses_transaction_id"] == posted["id"]
    assert {p["account_id"]: Decimal(p["amount"]) for p in reversal["postings"]} == {
        p["account_id"]: -Decimal(p["amount"]) for p in posted["postings"]
    }
    assert (await balances(db, account["id"]))[account["id"]] == (0, 0)
    again = await reverse(client, admin, posted["id"])
    assert again.status_code == 409 and again.json()["type"].endswith("/already-reversed")
    of_reversal = await reverse(client, admin, reversal["id"])
    assert of_reversal.status_code == 409
    assert (await reverse(client, admin, 999999)).status_code == 404
    async with db.session() as session:
        events = (await session.scalars(select(OutboxEvent.type))).all()
    assert events.count("transaction.reversed") == 1
    assert (await verify_ledger(db)).ok


async def test_reversal_may_overdraw_and_blocks_further_spending(
    app: Any,
    client: httpx.AsyncClient,
    db: Database,
    staff: dict[str, str],
    admin: dict[str, str],
) -> None:
    account, headers, _ = await funded_account(client, app, staff, "")
    mistaken = await deposit(client, staff, account["id"], "100.00")
    spent = await client.post(
        f"{API}/accounts/{account['id']}/withdrawals",
        json={"amount": "80.00"},
        headers={**headers, **key()},
    )
    assert spent.status_code == 201
    response = await reverse(client, admin, mistaken["id"])
    assert response.status_code == 201
    assert response.json()["balances"][0]["balance"] == "-80.00"  # limit is 0.00
    refused = await client.post(
        f"{API}/accounts/{account['id']}/withdrawals",
        json={"amount": "0.01"},
        headers={**headers, **key()},
    )
    assert refused.status_code == 422
    report = await verify_ledger(db)
    assert report.ok, report.problems
    assert any(f"account {account['id']}" in note for note in report.notes)
    await deposit(client, staff, account["id"], "80.00")
    assert (await verify_ledger(db)).notes == []


async def test_concurrent_reversals_have_one_winner(
    app: Any,
    client: httpx.AsyncClient,
    db: Database,
    staff: dict[str, str],
    admin: dict[str, str],
) -> None:
    account, _, _ = await funded_account(client, app, staff, "")
    posted = await deposit(client, staff, account["id"], "9.00")
    entries = await entry_count(db)
    responses = await asyncio.gather(*(reverse(client, admin, posted["id"]) for _ in range(10)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9
    assert await entry_count(db) == entries + 1
    assert (await balances(db, account["id"]))[account["id"]] == (0, 0)


async def test_reversing_a_transfer_restores_both_sides_unless_one_is_closed(
    app: Any,
    client: httpx.AsyncClient,
    db: Database,
    staff: dict[str, str],
    admin: dict[str, str],
) -> None:
    source, headers, _ = await funded_account(client, app, staff, "10.00")
    target, target_headers, _ = await funded_account(client, app, staff, "")
    moved = await client.post(
        f"{API}/transfers",
        json={"from_account_id": source["id"], "to_account_id": target["id"], "amount": "4.00"},
        headers={**headers, **key()},
    )
    await client.post(
        f"{API}/accounts/{target['id']}/withdrawals", json={"amount": "4.00"}, headers=staff
    )
    closed = await client.post(f"{API}/accounts/{target['id']}/close", headers=target_headers)
    assert closed.status_code == 200
    response = await reverse(client, admin, moved.json()["id"])
    assert response.status_code == 409
    assert response.json()["type"].endswith("/account-closed")
    assert await balances(db, source["id"], target["id"]) == {
        source["id"]: (600, 0),
        target["id"]: (0, 0),
    }
    other, _, _ = await funded_account(client, app, staff, "")
    moved = await client.post(
        f"{API}/transfers",
        json={"from_account_id": source["id"], "to_account_id": other["id"], "amount": "4.00"},
        headers={**headers, **key()},
    )
    assert (await reverse(client, admin, moved.json()["id"])).status_code == 201
    assert await balances(db, source["id"], other["id"]) == {
        source["id"]: (600, 0),
        other["id"]: (0, 0),
    }
