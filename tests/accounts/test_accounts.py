"""Accounts: opening, visibility, changes, freezing and closing, on both backends."""

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from corebank.accounts.numbers import is_valid_account_number
from corebank.core.db import Database
from corebank.models import AuditEvent, OutboxEvent
from tests.ledger.helpers import (
    API,
    customer_user,
    deposit,
    funded_account,
    key,
    make_customer,
    open_account,
)
from tests.support import login_as


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


async def test_staff_opens_an_account_for_a_customer(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    customer = await make_customer(app)
    account = await open_account(client, staff, customer_id=customer.id, type="savings")
    assert account["customer_id"] == customer.id
    assert is_valid_account_number(account["number"])
    assert (account["type"], account["currency"], account["status"]) == (
        "savings",
        "USD",
        "active",
    )
    assert account["balance"] == account["available_balance"] == "0.00"
    assert account["overdraft_limit"] == "0.00"
    async with db.session() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
        event_types = (await session.scalars(select(OutboxEvent.type))).all()
    assert "account.created" in actions
    assert "account.created" in event_types


async def test_customer_opens_for_themselves_only(
    app: Any, client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    _, headers, record = await customer_user(app)
    account = await open_account(client, headers, currency="JPY")
    assert account["customer_id"] == record.id
    assert account["balance"] == "0"
    other = await make_customer(app)
    response = await client.post(
        f"{API}/accounts",
        json={"type": "checking", "currency": "USD", "customer_id": other.id},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "customer_id"]


async def test_opening_refusals(app: Any, client: httpx.AsyncClient, staff: dict[str, str]) -> None:
    _, no_record = await login_as(app, "customer")
    response = await client.post(
        f"{API}/accounts", json={"type": "checking", "currency": "USD"}, headers=no_record
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("/customer-profile-required")
    customer = await make_customer(app)
    cases = [
        ({"type": "checking", "currency": "CHF", "customer_id": customer.id}, 422),
        ({"type": "checking", "currency": "usd", "customer_id": customer.id}, 422),
        ({"type": "loan", "currency": "USD", "customer_id": customer.id}, 422),
        ({"type": "checking", "currency": "USD"}, 422),
        ({"type": "checking", "currency": "USD", "customer_id": 999999}, 404),
        ({"type": "checking", "currency": "USD", "customer_id": customer.id, "balance": "9"}, 422),
    ]
    for body, expected in cases:
        response = await client.post(f"{API}/accounts", json=body, headers=staff)
        assert response.status_code == expected, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"


async def test_customer_sees_only_their_own_accounts(
    app: Any, client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    mine, headers, _ = await funded_account(client, app, staff, "5.00")
    theirs, _, _ = await funded_account(client, app, staff, "7.00")
    listed = (await client.get(f"{API}/accounts", headers=headers)).json()
    assert [a["id"] for a in listed["items"]] == [mine["id"]]
    assert (await client.get(f"{API}/accounts/{mine['id']}", headers=headers)).status_code == 200
    for path in (
        f"/accounts/{theirs['id']}",
        f"/accounts/by-number/{theirs['number']}",
        f"/accounts/{theirs['id']}/transactions",
        f"/accounts/{theirs['id']}/holds",
        f"/accounts/{theirs['id']}/balance",
        f"/accounts/{theirs['id']}/statement",
        "/accounts/999999",
    ):
        response = await client.get(API + path, headers=headers)
        assert response.status_code == 404, path
    response = await client.patch(
        f"{API}/accounts/{theirs['id']}", json={"nickname": "x"}, headers=headers
    )
    assert response.status_code == 404
    assert (await client.get(f"{API}/accounts/{theirs['id']}", headers=staff)).status_code == 200


async def test_staff_list_filters_and_pages(
    app: Any, client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    customer = await make_customer(app)
    other = await make_customer(app)
    ids = [
        (await open_account(client, staff, customer_id=customer.id, currency=c))["id"]
        for c in ("USD", "EUR", "USD")
    ]
    await open_account(client, staff, customer_id=other.id)
    await deposit(client, staff, ids[0], "1.00")  # creates the USD settlement account
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"customer_id": customer.id, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(f"{API}/accounts", params=params, headers=staff)).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(ids, reverse=True)
    usd = await client.get(
        f"{API}/accounts", params={"customer_id": customer.id, "currency": "USD"}, headers=staff
    )
    assert {a["id"] for a in usd.json()["items"]} == {ids[0], ids[2]}
    every = (await client.get(f"{API}/accounts", headers=staff)).json()["items"]
    assert all(a["customer_id"] is not None for a in every)  # settlement never listed


async def test_account_number_check_digits(
    app: Any, client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    account, headers, _ = await funded_account(client, app, staff, "")
    number = account["number"]
    typo = number[:3] + str((int(number[3]) + 1) % 10) + number[4:]
    swapped = number[:4] + number[5] + number[4] + number[6:]
    for bad in (typo, swapped if swapped != number else typo, "12345", "abcdefghijkl"):
        response = await client.get(f"{API}/accounts/by-number/{bad}", headers=headers)
        assert response.status_code == 422, bad
        assert response.json()["type"].endswith("/invalid-account-number")
    found = await client.get(f"{API}/accounts/by-number/{number}", headers=headers)
    assert found.json()["id"] == account["id"]
    unknown = "1000000000"
    from corebank.accounts.numbers import check_digits

    response = await client.get(
        f"{API}/accounts/by-number/{unknown}{check_digits(unknown)}", headers=staff
    )
    assert response.status_code == 404


async def test_patch_rules(app: Any, client: httpx.AsyncClient, staff: dict[str, str]) -> None:
    account, headers, _ = await funded_account(client, app, staff, "", credit_limit_minor=50_000)
    url = f"{API}/accounts/{account['id']}"
    response = await client.patch(url, json={"nickname": "Holiday"}, headers=headers)
    assert response.status_code == 200 and response.json()["nickname"] == "Holiday"
    for body in ({"status": "frozen"}, {"overdraft_limit": "10.00"}):
        response = await client.patch(url, json=body, headers=headers)
        assert response.status_code == 422, body
    for body in ({"status": "closed"}, {"overdraft_limit": "-1.00"}, {"balance": "1.00"}):
        assert (await client.patch(url, json=body, headers=staff)).status_code == 422, body
    over = await client.patch(url, json={"overdraft_limit": "500.01"}, headers=staff)
    assert over.status_code == 422
    assert over.json()["type"].endswith("/overdraft-limit-refused")
    ok = await client.patch(url, json={"overdraft_limit": "500.00"}, headers=staff)
    assert ok.status_code == 200 and ok.json()["overdraft_limit"] == "500.00"
    out = await client.post(
        f"{url}/withdrawals", json={"amount": "300.00"}, headers={**headers, **key()}
    )
    assert out.status_code == 201
    lower = await client.patch(url, json={"overdraft_limit": "100.00"}, headers=staff)
    assert lower.status_code == 422  # 300.00 of overdraft already in use
    assert (await client.get(url, headers=staff)).json()["overdraft_limit"] == "500.00"


async def test_overdraft_limit_converts_credit_limit_one_to_one(
    app: Any, client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    customer = await make_customer(app, credit_limit_minor=12_345)  # 123.45 in USD
    jpy = await open_account(client, staff, customer_id=customer.id, currency="JPY")
    url = f"{API}/accounts/{jpy['id']}"
    assert (await client.patch(url, json={"overdraft_limit": "124"}, headers=staff)).is_error
    response = await client.patch(url, json={"overdraft_limit": "123"}, headers=staff)
    assert response.json()["overdraft_limit"] == "123"
    assert (await client.patch(url, json={"overdraft_limit": "1.5"}, headers=staff)).is_error


async def test_frozen_takes_deposits_but_lets_nothing_out(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    account, headers, _ = await funded_account(client, app, staff, "50.00")
    other, _, _ = await funded_account(client, app, staff, "50.00")
    url = f"{API}/accounts/{account['id']}"
    frozen = await client.patch(url, json={"status": "frozen"}, headers=staff)
    assert frozen.json()["status"] == "frozen"
    await deposit(client, staff, account["id"], "1.00")
    refusals = [
        (f"{url}/withdrawals", {"amount": "1.00"}, headers),
        (f"{url}/withdrawals", {"amount": "1.00"}, staff),
        (
            f"{API}/transfers",
            {"from_account_id": account["id"], "to_account_id": other["id"], "amount": "1.00"},
            headers,
        ),
        (f"{url}/holds", {"amount": "1.00"}, staff),
    ]
    for path, body, who in refusals:
        response = await client.post(path, json=body, headers={**who, **key()})
        assert response.status_code == 409, path
        assert response.json()["type"].endswith("/account-frozen")
    incoming = await client.post(
        f"{API}/transfers",
        json={"from_account_id": other["id"], "to_account_id": account["id"], "amount": "2.00"},
        headers=staff,
    )
    assert incoming.status_code == 201
    assert (await client.get(url, headers=headers)).json()["balance"] == "53.00"
    async with db.session() as session:
        assert "account.frozen" in (await session.scalars(select(OutboxEvent.type))).all()
    thawed = await client.patch(url, json={"status": "active"}, headers=staff)
    assert thawed.json()["status"] == "active"


async def test_close_rules(app: Any, client: httpx.AsyncClient, staff: dict[str, str]) -> None:
    account, headers, _ = await funded_account(
        client, app, staff, "10.00", credit_limit_minor=1_000
    )
    url = f"{API}/accounts/{account['id']}"
    not_empty = await client.post(f"{url}/close", headers=headers)
    assert not_empty.status_code == 409
    assert not_empty.json()["type"].endswith("/account-not-empty")
    out = await client.post(f"{url}/withdrawals", json={"amount": "10.00"}, headers=staff)
    assert out.status_code == 201
    await client.patch(url, json={"overdraft_limit": "5.00"}, headers=staff)
    hold = await client.post(f"{url}/holds", json={"amount": "1.00"}, headers=staff)
    assert hold.status_code == 201
    held = await client.post(f"{url}/close", headers=headers)
    assert held.status_code == 409
    assert held.json()["type"].endswith("/account-has-open-holds")
    await client.post(f"{API}/holds/{hold.json()['id']}/void", headers=staff)
    closed = await client.post(f"{url}/close", headers=headers)
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed" and closed.json()["closed_at"]
    for path, body in ((f"{url}/deposits", {"amount": "1.00"}), (f"{url}/close", None)):
        response = await client.post(path, json=body, headers=staff)
        assert response.status_code == 409
        assert response.json()["type"].endswith("/account-closed")
    assert (await client.patch(url, json={"nickname": "x"}, headers=staff)).status_code == 409
    other, _, _ = await funded_account(client, app, staff, "3.00")
    response = await client.post(
        f"{API}/transfers",
        json={"from_account_id": other["id"], "to_account_id": account["id"], "amount": "1.00"},
        headers=staff,
    )
    assert response.status_code == 409


async def test_customer_with_money_in_an_open_account_cannot_be_deleted(
    app: Any, client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    customer = await make_customer(app)
    account = await open_account(client, staff, customer_id=customer.id)
    await deposit(client, staff, account["id"], "2.00")
    refused = await client.delete(f"{API}/customers/{customer.id}", headers=staff)
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/customer-not-deletable")
    out = await client.post(
        f"{API}/accounts/{account['id']}/withdrawals", json={"amount": "2.00"}, headers=staff
    )
    assert out.status_code == 201
    deleted = await client.delete(f"{API}/customers/{customer.id}", headers=staff)
    assert deleted.status_code == 204
    refused = await client.post(
        f"{API}/accounts/{account['id']}/deposits", json={"amount": "1.00"}, headers=staff
    )
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/account-closed")


async def test_ids_beyond_64_bits_are_422_not_500(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    """Found by the API fuzzer: an id the database cannot hold overflowed the driver (500)."""
    big = 2**63
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", f"/accounts/{big}", None),
        ("PATCH", f"/accounts/{big}", {"nickname": "x"}),
        ("POST", f"/accounts/{big}/close", None),
        ("GET", f"/accounts?customer_id={big}", None),
        ("POST", "/accounts", {"type": "checking", "currency": "USD", "customer_id": big}),
    ]
    for method, path, body in requests:
        response = await client.request(method, API + path, json=body, headers=staff)
        assert response.status_code == 422, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    largest = await client.get(f"{API}/accounts/{big - 1}", headers=staff)
    assert largest.status_code == 404
