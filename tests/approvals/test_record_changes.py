"""Maker-checker for operations that move no money: account closure, credit-limit raises and
KYC overrides wait (202, nothing changed) until a second person approves or rejects them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from corebank.core.db import Database
from tests.approvals.test_approvals import events
from tests.ledger.helpers import API, deposit, make_customer, open_account
from tests.support import login_as


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "approval_threshold": "USD:1000.00",
        "approval_operations": "transfer,account_closure,credit_limit_raise,kyc_override",
    }


@pytest.fixture
async def maker(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


@pytest.fixture
async def checker(app: Any) -> dict[str, str]:
    return (await login_as(app, "admin"))[1]


async def decide(
    client: httpx.AsyncClient, headers: dict[str, str], approval_id: int, decision: str
) -> httpx.Response:
    body = {"reason": "checked"} if decision == "reject" else None
    return await client.post(
        f"{API}/approvals/{approval_id}/{decision}", json=body, headers=headers
    )


async def test_a_closure_waits_then_closes_once_approved(
    app: Any, client: httpx.AsyncClient, db: Database, maker: Any, checker: Any
) -> None:
    customer = await make_customer(app)
    account = await open_account(client, maker, customer_id=customer.id)
    url = f"{API}/accounts/{account['id']}"

    waiting = await client.post(f"{url}/close", headers=maker)

    assert waiting.status_code == 202, waiting.text
    assert (waiting.json()["operation"], waiting.json()["subject_id"]) == (
        "account_closure",
        account["id"],
    )
    assert (await client.get(url, headers=maker)).json()["status"] == "active"
    approved = await decide(client, checker, waiting.json()["id"], "approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["result"] == {"account_id": account["id"], "status": "closed"}
    assert (await client.get(url, headers=maker)).json()["status"] == "closed"
    assert "account.closed" in await events(db, "account.")


async def test_a_closure_is_checked_when_asked_and_again_when_approved(
    app: Any, client: httpx.AsyncClient, db: Database, maker: Any, checker: Any
) -> None:
    customer = await make_customer(app)
    funded = await open_account(client, maker, customer_id=customer.id)
    await deposit(client, maker, funded["id"], "5.00")
    refused = await client.post(f"{API}/accounts/{funded['id']}/close", headers=maker)
    assert refused.status_code == 409  # not empty: no request is made
    assert (await client.get(f"{API}/approvals", headers=checker)).json()["items"] == []

    empty = await open_account(client, maker, customer_id=customer.id)
    waiting = (await client.post(f"{API}/accounts/{empty['id']}/close", headers=maker)).json()
    await deposit(client, maker, empty["id"], "1.00")  # money came in while it waited
    late = await decide(client, checker, waiting["id"], "approve")
    assert late.status_code == 409
    assert late.json()["type"].endswith("/account-not-empty")
    shown = (await client.get(f"{API}/approvals/{waiting['id']}", headers=checker)).json()
    assert shown["status"] == "pending"
    rejected = await decide(client, checker, waiting["id"], "reject")
    assert rejected.json()["status"] == "rejected"
    assert (await client.get(f"{API}/accounts/{empty['id']}", headers=maker)).json()[
        "status"
    ] == "active"


async def test_a_credit_limit_raise_above_the_threshold_waits(
    app: Any, client: httpx.AsyncClient, db: Database, maker: Any, checker: Any
) -> None:
    customer = await make_customer(app, credit_limit_minor=50000)
    url = f"{API}/customers/{customer.id}"

    waiting = await client.patch(
        url, json={"credit_limit": "5000.00", "first_name": "Augusta"}, headers=maker
    )

    assert waiting.status_code == 202, waiting.text
    assert (waiting.json()["operation"], waiting.json()["amount"]) == (
        "credit_limit_raise",
        "5000.00",
    )
    shown = (await client.get(url, headers=maker)).json()
    assert (shown["credit_limit"], shown["first_name"]) == ("500.00", "Ada")  # nothing applied
    own = await decide(client, maker, waiting.json()["id"], "approve")
    assert own.status_code == 403
    approved = await decide(client, checker, waiting.json()["id"], "approve")
    assert approved.status_code == 200, approved.text
    shown = (await client.get(url, headers=maker)).json()
    assert (shown["credit_limit"], shown["first_name"]) == ("5000.00", "Augusta")

    lowered = await client.patch(url, json={"credit_limit": "100.00"}, headers=maker)
    assert lowered.status_code == 200 and lowered.json()["credit_limit"] == "100.00"
    small_raise = await client.patch(url, json={"credit_limit": "1000.00"}, headers=maker)
    assert small_raise.status_code == 200 and small_raise.json()["credit_limit"] == "1000.00"


async def test_a_kyc_override_to_verified_waits_other_decisions_do_not(
    app: Any, client: httpx.AsyncClient, db: Database, maker: Any, checker: Any
) -> None:
    customer = await make_customer(app, kyc_status="pending")
    url = f"{API}/customers/{customer.id}"
    kyc = f"{url}/kyc"

    rejected = await client.post(
        kyc, json={"status": "rejected", "reason": "blurry"}, headers=maker
    )
    assert rejected.status_code == 200 and rejected.json()["kyc_status"] == "rejected"
    waiting = await client.post(
        kyc, json={"status": "verified", "reason": "passport seen in branch"}, headers=maker
    )
    assert waiting.status_code == 202, waiting.text
    assert (await client.get(url, headers=maker)).json()["kyc_status"] == "rejected"

    approved = await decide(client, checker, waiting.json()["id"], "approve")

    assert approved.status_code == 200, approved.text
    shown = (await client.get(url, headers=maker)).json()
    assert (shown["kyc_status"], shown["kyc_reason"]) == ("verified", "passport seen in branch")


async def test_a_waiting_change_shows_no_national_id_and_applies_dates(
    app: Any, client: httpx.AsyncClient, db: Database, maker: Any, checker: Any
) -> None:
    """Found by review: the stored PATCH showed the national id in full, and a date in it made
    the approval fail (500)."""
    customer = await make_customer(app)
    url = f"{API}/customers/{customer.id}"
    change = {"credit_limit": "5000.00", "date_of_birth": "1980-01-02", "national_id": "AB1234567"}

    waiting = await client.patch(url, json=change, headers=maker)

    assert waiting.status_code == 202, waiting.text
    shown = waiting.json()["request"]["fields"]
    assert shown["national_id"] == "•••••••67" and "AB1234567" not in waiting.text
    approved = await decide(client, checker, waiting.json()["id"], "approve")
    assert approved.status_code == 200, approved.text
    record = (await client.get(url, headers=maker)).json()
    assert (record["credit_limit"], record["date_of_birth"]) == ("5000.00", "1980-01-02")


async def test_an_approval_never_undoes_what_changed_since_the_request(
    app: Any, client: httpx.AsyncClient, db: Database, maker: Any, checker: Any
) -> None:
    customer = await make_customer(app, kyc_status="pending")
    url = f"{API}/customers/{customer.id}"
    raise_ = await client.patch(url, json={"credit_limit": "5000.00"}, headers=maker)
    verify = await client.post(
        f"{url}/kyc", json={"status": "verified", "reason": "seen"}, headers=maker
    )
    assert (raise_.status_code, verify.status_code) == (202, 202)
    renamed = await client.patch(url, json={"first_name": "Augusta"}, headers=maker)
    assert renamed.status_code == 200
    fraud = await client.post(
        f"{url}/kyc", json={"status": "rejected", "reason": "forged passport"}, headers=maker
    )
    assert fraud.status_code == 200

    for request in (raise_.json(), verify.json()):
        late = await decide(client, checker, request["id"], "approve")
        assert late.status_code == 409, late.text
        assert late.json()["type"].endswith("/record-changed-since-request")
    record = (await client.get(url, headers=maker)).json()
    assert (record["kyc_status"], record["credit_limit"]) == ("rejected", "0.00")


async def test_a_new_customer_cannot_start_above_the_threshold(
    app: Any, client: httpx.AsyncClient, maker: Any
) -> None:
    body = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada.new@example.com",
        "phone": "+1 650 253 0001",
        "credit_limit": "90000.00",
    }
    refused = await client.post(f"{API}/customers", json=body, headers=maker)
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("/approval-required")
    allowed = await client.post(
        f"{API}/customers", json={**body, "credit_limit": "900.00"}, headers=maker
    )
    assert allowed.status_code == 201, allowed.text
