"""Update, KYC, soft delete and restore, deletion guards, and who may see which record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from corebank.core.db import Database
from corebank.models import Customer, OutboxEvent
from tests.customers.helpers import URL, create, payload, problem_locs
from tests.support import STRONG_PASSWORD, audit_rows, login_as


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, role="staff"))[1]


@pytest.fixture
async def admin(app: Any) -> dict[str, str]:
    return (await login_as(app, role="admin"))[1]


async def event_types(db: Database) -> list[str]:
    async with db.session() as session:
        return list((await session.scalars(select(OutboxEvent.type))).all())


async def test_update_applies_the_same_rules(
    client: httpx.AsyncClient, staff: dict[str, str], db: Database
) -> None:
    out = await create(client, staff, national_id="X-11112222")
    url = f"{URL}/{out['id']}"
    response = await client.patch(
        url,
        headers=staff,
        json={"phone": "(650) 253-9999", "credit_limit": "10", "national_id": "X-99992222"},
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["phone"] == "+16502539999" and changed["credit_limit"] == "10.00"
    assert changed["first_name"] == out["first_name"]
    assert changed["national_id_masked"] == "****2222"
    [row] = await audit_rows(db, "customer.updated")
    assert set(row.after) == {"phone", "credit_limit_minor", "national_id"}
    assert row.before["national_id"] == "****2222" and "X-1111" not in str(row.before)
    assert "customer.updated" in await event_types(db)

    for bad in (
        {"phone": "123"},
        {"email": "nope"},
        {"first_name": None},
        {"phone": None},
        {"credit_limit": "0.001"},
        {"date_of_birth": "2999-01-01"},
        {"id": 5},
        {"kyc_status": "verified"},
    ):
        rejected = await client.patch(url, headers=staff, json=bad)
        assert rejected.status_code == 422, bad
    cleared = await client.patch(url, headers=staff, json={"national_id": None, "address": None})
    assert cleared.json()["national_id_masked"] is None


async def test_update_to_a_taken_email_or_phone_is_409(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    first = await create(client, staff, email="first@example.com", phone="+12025550100")
    second = await create(client, staff)
    url = f"{URL}/{second['id']}"
    taken_email = await client.patch(url, headers=staff, json={"email": "FIRST@example.com"})
    assert taken_email.status_code == 409 and problem_locs(taken_email) == [["body", "email"]]
    taken_phone = await client.patch(url, headers=staff, json={"phone": "202-555-0100"})
    assert taken_phone.status_code == 409 and problem_locs(taken_phone) == [["body", "phone"]]
    own = await client.patch(
        f"{URL}/{first['id']}", headers=staff, json={"email": "first@example.com"}
    )
    assert own.status_code == 200


async def test_kyc_changes_are_audited_with_reason(
    client: httpx.AsyncClient, app: Any, staff: dict[str, str], db: Database
) -> None:
    out = await create(client, staff)
    url = f"{URL}/{out['id']}/kyc"
    for status, reason in (("verified", "passport checked"), ("rejected", "document forged")):
        response = await client.post(url, headers=staff, json={"status": status, "reason": reason})
        assert response.status_code == 200
        assert response.json()["kyc_status"] == status
        assert response.json()["kyc_reason"] == reason
    rows = await audit_rows(db, "customer.kyc_changed")
    assert [
        (r.before["kyc_status"], r.after["kyc_status"], r.after["kyc_reason"]) for r in rows
    ] == [
        ("pending", "verified", "passport checked"),
        ("verified", "rejected", "document forged"),
    ]
    assert (await event_types(db)).count("customer.kyc_changed") == 2
    _, customer = await login_as(app)
    body = {"status": "verified", "reason": "x"}
    assert (await client.post(url, headers=customer, json=body)).status_code == 403
    for bad in (
        {"status": "maybe", "reason": "x"},
        {"status": "verified"},
        {"status": "verified", "reason": " "},
    ):
        assert (await client.post(url, headers=staff, json=bad)).status_code == 422
    assert (await client.post(f"{URL}/99999/kyc", headers=staff, json=body)).status_code == 404


async def test_soft_delete_and_restore(
    client: httpx.AsyncClient, staff: dict[str, str], admin: dict[str, str], db: Database
) -> None:
    out = await create(client, staff, email="gone@example.com", phone="+12025550111")
    url = f"{URL}/{out['id']}"
    assert (await client.delete(url, headers=staff)).status_code == 204
    assert (await client.get(url, headers=staff)).status_code == 404
    assert (await client.patch(url, headers=staff, json={"first_name": "X"})).status_code == 404
    assert (await client.delete(url, headers=staff)).status_code == 404
    assert out["id"] not in [
        c["id"] for c in (await client.get(URL, headers=staff)).json()["items"]
    ]
    async with db.session() as session:
        stored = await session.get(Customer, out["id"])
        assert stored is not None and stored.deleted_at is not None

    assert (await client.post(f"{url}/restore", headers=staff)).status_code == 403
    restored = await client.post(f"{url}/restore", headers=admin)
    assert restored.status_code == 200 and restored.json()["status"] == "active"
    assert (await client.get(url, headers=staff)).status_code == 200
    again = await client.post(f"{url}/restore", headers=admin)
    assert again.status_code == 409
    assert (await client.post(f"{URL}/99999/restore", headers=admin)).status_code == 404
    assert len(await audit_rows(db, "customer.deleted")) == 1
    assert len(await audit_rows(db, "customer.restored")) == 1


async def test_restore_refused_when_email_or_phone_was_reused(
    client: httpx.AsyncClient, staff: dict[str, str], admin: dict[str, str]
) -> None:
    out = await create(client, staff, email="reuse@example.com", phone="+12025550122")
    assert (await client.delete(f"{URL}/{out['id']}", headers=staff)).status_code == 204
    await create(client, staff, email="reuse@example.com")
    response = await client.post(f"{URL}/{out['id']}/restore", headers=admin)
    assert response.status_code == 409
    assert "email" in response.json()["detail"]
    assert (await client.get(f"{URL}/{out['id']}", headers=staff)).status_code == 404


@pytest.fixture
def refusing_guard(app: Any) -> Iterator[list[int]]:
    asked: list[int] = []

    async def guard(_: Any, customer_id: int) -> str | None:
        asked.append(customer_id)
        return "The customer has an open account holding money." if customer_id % 2 else None

    app.state.container.customers.deletion_guards.append(guard)
    yield asked
    app.state.container.customers.deletion_guards.remove(guard)


async def test_deletion_guards_can_refuse(
    client: httpx.AsyncClient, staff: dict[str, str], refusing_guard: list[int], db: Database
) -> None:
    odd = await create(client, staff)
    even = await create(client, staff)
    assert odd["id"] % 2 == 1 and even["id"] % 2 == 0
    refused = await client.delete(f"{URL}/{odd['id']}", headers=staff)
    assert refused.status_code == 409
    assert refused.json()["detail"] == "The customer has an open account holding money."
    assert (await client.get(f"{URL}/{odd['id']}", headers=staff)).status_code == 200
    assert (await client.delete(f"{URL}/{even['id']}", headers=staff)).status_code == 204
    assert refusing_guard == [odd["id"], even["id"]]
    assert len(await audit_rows(db, "customer.deleted")) == 1


async def test_customer_user_sees_only_their_own_record(
    client: httpx.AsyncClient, app: Any, staff: dict[str, str]
) -> None:
    user, headers = await login_as(app, email="mine@example.com")
    _, stranger = await login_as(app, email="stranger@example.com")
    assert (await client.get(f"{URL}/me", headers=headers)).status_code == 404
    mine = await create(client, staff, email="mine@example.com", user_id=user.id)
    other = await create(client, staff)
    assert mine["user_id"] == user.id
    me = await client.get(f"{URL}/me", headers=headers)
    assert me.status_code == 200 and me.json()["id"] == mine["id"]
    assert (await client.get(f"{URL}/{mine['id']}", headers=headers)).status_code == 200
    assert (await client.get(f"{URL}/{other['id']}", headers=headers)).status_code == 404
    assert (await client.get(f"{URL}/99999", headers=headers)).status_code == 404
    assert (await client.get(f"{URL}/{mine['id']}", headers=stranger)).status_code == 404
    assert (await client.get(f"{URL}/me", headers=stranger)).status_code == 404
    assert (
        await client.patch(f"{URL}/{mine['id']}", headers=headers, json={"credit_limit": "999.00"})
    ).status_code == 403
    assert (await client.get(f"{URL}/me")).status_code == 401


async def test_registration_never_takes_over_a_customer_with_that_email(
    client: httpx.AsyncClient, staff: dict[str, str], db: Database
) -> None:
    out = await create(client, staff, email="newbie@example.com")
    assert out["user_id"] is None
    for _ in range(2):  # the second read fills the cache
        await client.get(f"{URL}/{out['id']}", headers=staff)
    registered = await client.post(
        "/api/v1/auth/register",
        json={"email": "NewBie@example.com", "password": STRONG_PASSWORD, "full_name": "New Bie"},
    )
    assert registered.status_code == 201, registered.text
    login = await client.post(
        "/api/v1/auth/login", json={"username": "newbie@example.com", "password": STRONG_PASSWORD}
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await client.get(f"{URL}/me", headers=headers)).status_code == 404
    fresh = await client.get(f"{URL}/{out['id']}", headers=staff)
    assert fresh.json()["user_id"] is None
    assert await audit_rows(db, "customer.linked") == []


async def test_huge_or_bad_ids(client: httpx.AsyncClient, staff: dict[str, str]) -> None:
    for bad in ("0", "-1", "abc", str(2**63)):
        assert (await client.get(f"{URL}/{bad}", headers=staff)).status_code == 422, bad
    assert (await client.get(f"{URL}/{2**63 - 1}", headers=staff)).status_code == 404


async def test_unknown_fields_in_patch_and_kyc(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    out = await create(client, staff, **{k: v for k, v in payload().items() if k == "email"})
    response = await client.patch(f"{URL}/{out['id']}", headers=staff, json={"user_role": "x"})
    assert response.status_code == 422 and problem_locs(response) == [["body", "user_role"]]


async def test_delete_refused_while_an_open_account_holds_money(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    out = await create(client, staff)
    opening = {"customer_id": out["id"], "type": "checking", "currency": "USD"}
    account = await client.post("/api/v1/accounts", headers=staff, json=opening)
    assert account.status_code == 201, account.text
    deposit = await client.post(
        f"/api/v1/accounts/{account.json()['id']}/deposits", headers=staff, json={"amount": "5.00"}
    )
    assert deposit.status_code == 201, deposit.text
    refused = await client.delete(f"{URL}/{out['id']}", headers=staff)
    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/customer-not-deletable")
    assert (await client.get(f"{URL}/{out['id']}", headers=staff)).status_code == 200
