"""Maker-checker through the API: above APPROVAL_THRESHOLD a transfer or withdrawal answers
202 with a pending request and its money held; a second person approves (captures the hold and
posts once) or rejects (voids it); expiry voids it too. Four eyes, one winner, idempotency."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from corebank.approvals.service import expire_due
from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.events.catalogue import validate_data
from corebank.ledger.verify import verify_ledger
from corebank.models import AuditEvent, Hold, OutboxEvent
from tests.ledger.helpers import (
    API,
    balances,
    entry_count,
    funded_account,
    key,
    make_customer,
    open_account,
)
from tests.support import login_as, test_settings


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"approval_threshold": "USD:1000.00,EUR:500.00", "approval_ttl": "PT10M"}


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


@pytest.fixture
async def checker(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


async def two_accounts(
    client: httpx.AsyncClient, app: Any, staff: dict[str, str], funds: str = "5000.00"
) -> tuple[dict[str, Any], dict[str, Any], dict[str, str]]:
    """A funded customer account, a second account of the same customer, their headers."""
    source, headers, _ = await funded_account(client, app, staff, funds)
    target = await open_account(client, staff, customer_id=source["customer_id"])
    return source, target, headers


async def transfer(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    source: dict[str, Any],
    target: dict[str, Any],
    amount: str,
    idempotency: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.post(
        f"{API}/transfers",
        json={"from_account_id": source["id"], "to_account_id": target["id"], "amount": amount},
        headers={**headers, **(idempotency or key())},
    )


async def open_holds(db: Database, account_id: int) -> list[int]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Hold.amount_minor).where(Hold.account_id == account_id, Hold.status == "open")
        )
        return list(rows)


async def events(db: Database, prefix: str) -> list[str]:
    """The types of the events emitted so far whose type starts with `prefix`, in order; each
    payload conforms to the catalogue."""
    async with db.session() as session:
        rows = (
            await session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.type.like(f"{prefix}%"))
                .order_by(OutboxEvent.id)
            )
        ).all()
    for row in rows:
        validate_data(row.type, row.payload)
    return [row.type for row in rows]


async def test_a_transfer_above_the_threshold_waits_with_its_money_held_then_posts_once(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], checker: Any
) -> None:
    source, target, headers = await two_accounts(client, app, staff)
    entries = await entry_count(db)

    waiting = await transfer(client, headers, source, target, "1200.00")

    assert waiting.status_code == 202, waiting.text
    request = waiting.json()
    assert request["status"] == "pending"
    assert (request["operation"], request["amount"], request["currency"]) == (
        "transfer",
        "1200.00",
        "USD",
    )
    assert request["request"]["to_account_id"] == target["id"]
    assert request["expires_at"] > request["created_at"]
    assert await entry_count(db) == entries  # nothing posted
    assert await balances(db, source["id"], target["id"]) == {
        source["id"]: (500000, 120000),  # held: available 3,800.00
        target["id"]: (0, 0),
    }
    shown = (await client.get(f"{API}/accounts/{source['id']}", headers=headers)).json()
    assert (shown["balance"], shown["available_balance"]) == ("5000.00", "3800.00")

    approved = await client.post(f"{API}/approvals/{request['id']}/approve", headers=checker)

    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "approved"
    assert body["decided_by"] != body["requested_by"]
    assert await entry_count(db) == entries + 1
    assert await balances(db, source["id"], target["id"]) == {
        source["id"]: (380000, 0),
        target["id"]: (120000, 0),
    }
    posted = await client.get(
        f"{API}/transactions/{body['result']['transaction_id']}", headers=staff
    )
    assert (posted.json()["type"], posted.json()["amount"]) == ("transfer", "1200.00")
    again = await client.post(f"{API}/approvals/{request['id']}/approve", headers=checker)
    assert again.status_code == 409
    assert again.json()["type"].endswith("/approval-not-pending")
    assert await entry_count(db) == entries + 1
    assert (await verify_ledger(db)).ok
    assert await events(db, "approval.") == ["approval.requested", "approval.approved"]


async def test_at_or_below_the_threshold_a_transfer_posts_at_once(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    source, target, headers = await two_accounts(client, app, staff)
    response = await transfer(client, headers, source, target, "1000.00")
    assert response.status_code == 201, response.text
    assert await open_holds(db, source["id"]) == []


async def test_a_currency_without_a_threshold_never_waits(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    source, headers, _ = await funded_account(client, app, staff, "90000", currency="GBP")
    target = await open_account(client, staff, customer_id=source["customer_id"], currency="GBP")
    response = await transfer(client, headers, source, target, "50000.00")
    assert response.status_code == 201, response.text


async def test_rejection_voids_the_hold_and_moves_nothing(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], checker: Any
) -> None:
    source, target, headers = await two_accounts(client, app, staff)
    entries = await entry_count(db)
    request = (await transfer(client, headers, source, target, "1500.00")).json()

    no_reason = await client.post(
        f"{API}/approvals/{request['id']}/reject", json={}, headers=checker
    )
    assert no_reason.status_code == 422
    rejected = await client.post(
        f"{API}/approvals/{request['id']}/reject",
        json={"reason": "payee not verified"},
        headers=checker,
    )

    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["status"], rejected.json()["reason"]) == (
        "rejected",
        "payee not verified",
    )
    assert await balances(db, source["id"], target["id"]) == {
        source["id"]: (500000, 0),
        target["id"]: (0, 0),
    }
    assert await entry_count(db) == entries
    late = await client.post(f"{API}/approvals/{request['id']}/approve", headers=checker)
    assert late.status_code == 409
    assert await events(db, "approval.") == ["approval.requested", "approval.rejected"]


async def test_the_maker_never_checks_their_own_request_nor_through_a_second_login(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    maker, maker_headers = await login_as(app, "staff", email="alice@bank.example")
    _, second_login = await login_as(app, "admin", email="Alice+ops@bank.example")
    _, other = await login_as(app, "staff", email="bob@bank.example")
    source, target, _ = await two_accounts(client, app, staff)
    request = (await transfer(client, maker_headers, source, target, "2000.00")).json()
    assert request["requested_by"] == maker.id

    for headers in (maker_headers, second_login):
        refused = await client.post(f"{API}/approvals/{request['id']}/approve", headers=headers)
        assert refused.status_code == 403, refused.text
        assert refused.json()["type"].endswith("/four-eyes-violation")
        refused = await client.post(
            f"{API}/approvals/{request['id']}/reject", json={"reason": "mine"}, headers=headers
        )
        assert refused.status_code == 403
    assert (await client.get(f"{API}/approvals/{request['id']}", headers=staff)).json()[
        "status"
    ] == "pending"

    approved = await client.post(f"{API}/approvals/{request['id']}/approve", headers=other)
    assert approved.status_code == 200, approved.text


async def test_customers_read_their_own_requests_and_decide_none(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    source, target, headers = await two_accounts(client, app, staff)
    request = (await transfer(client, headers, source, target, "1100.00")).json()
    _, stranger = await login_as(app, "customer")

    mine = await client.get(f"{API}/approvals/{request['id']}", headers=headers)
    assert mine.status_code == 200 and mine.json()["id"] == request["id"]
    assert (
        await client.get(f"{API}/approvals/{request['id']}", headers=stranger)
    ).status_code == 404
    assert (await client.get(f"{API}/approvals", headers=stranger)).json()["items"] == []
    listed = (await client.get(f"{API}/approvals", headers=headers)).json()["items"]
    assert [item["id"] for item in listed] == [request["id"]]
    for other in (headers, stranger):
        refused = await client.post(f"{API}/approvals/{request['id']}/approve", headers=other)
        assert refused.status_code == 403
    queue = await client.get(
        f"{API}/approvals", params={"status": "pending", "operation": "transfer"}, headers=staff
    )
    assert request["id"] in [item["id"] for item in queue.json()["items"]]
    assert (await client.get(f"{API}/approvals/999999", headers=staff)).status_code == 404


async def test_the_same_idempotency_key_replays_the_202_and_holds_once(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    source, target, headers = await two_accounts(client, app, staff)
    same = key()
    first = await transfer(client, headers, source, target, "1300.00", idempotency=same)
    second = await transfer(client, headers, source, target, "1300.00", idempotency=same)

    assert (first.status_code, second.status_code) == (202, 202)
    assert second.json()["id"] == first.json()["id"]
    assert second.headers.get("Idempotency-Replayed") == "true"
    assert await open_holds(db, source["id"]) == [130000]


async def test_expiry_voids_the_hold_and_approval_after_it_is_refused(
    app: Any,
    client: httpx.AsyncClient,
    db: Database,
    staff: dict[str, str],
    checker: Any,
    clock: FrozenClock,
) -> None:
    source, target, headers = await two_accounts(client, app, staff)
    request = (await transfer(client, headers, source, target, "1200.00")).json()
    clock.advance(minutes=10)

    late = await client.post(f"{API}/approvals/{request['id']}/approve", headers=checker)
    assert late.status_code == 409
    assert late.json()["type"].endswith("/approval-expired")
    assert await expire_due(app.state.container.approvals, now=clock.now()) == 1
    assert await expire_due(app.state.container.approvals, now=clock.now()) == 0

    shown = (await client.get(f"{API}/approvals/{request['id']}", headers=staff)).json()
    assert (shown["status"], shown["reason"]) == ("expired", "expired")
    assert await balances(db, source["id"]) == {source["id"]: (500000, 0)}
    assert await events(db, "approval.") == ["approval.requested", "approval.expired"]


async def test_a_parallel_approve_and_reject_have_exactly_one_winner(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], checker: Any
) -> None:
    source, target, headers = await two_accounts(client, app, staff)
    entries = await entry_count(db)
    for _ in range(3):
        request = (await transfer(client, headers, source, target, "1001.00")).json()
        url = f"{API}/approvals/{request['id']}"
        approve, reject = await asyncio.gather(
            client.post(f"{url}/approve", headers=checker),
            client.post(f"{url}/reject", json={"reason": "no"}, headers=staff),
        )
        codes = sorted([approve.status_code, reject.status_code])
        assert codes == [200, 409], (approve.text, reject.text)
    async with db.session() as session:
        decided = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action.in_(["approval.approved", "approval.rejected"]))
        )
    assert decided == 3
    approvals = (await entry_count(db)) - entries
    moved = (await balances(db, target["id"]))[target["id"]][0]
    assert moved == approvals * 100100
    assert await balances(db, source["id"]) == {source["id"]: (500000 - moved, 0)}
    assert (await verify_ledger(db)).ok


async def test_a_withdrawal_above_the_threshold_waits_and_posts_against_settlement(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], checker: Any
) -> None:
    account, headers, _ = await funded_account(client, app, staff, "900.00", currency="EUR")
    response = await client.post(
        f"{API}/accounts/{account['id']}/withdrawals",
        json={"amount": "600.00", "description": "cash"},
        headers={**headers, **key()},
    )
    assert response.status_code == 202, response.text
    request = response.json()
    assert (request["operation"], request["currency"]) == ("withdrawal", "EUR")
    assert await balances(db, account["id"]) == {account["id"]: (90000, 60000)}
    too_much = await client.post(
        f"{API}/accounts/{account['id']}/withdrawals",
        json={"amount": "400.00"},
        headers={**headers, **key()},
    )
    assert too_much.status_code == 422  # the held 600.00 is not available any more

    approved = await client.post(f"{API}/approvals/{request['id']}/approve", headers=checker)

    assert approved.status_code == 200, approved.text
    assert await balances(db, account["id"]) == {account["id"]: (30000, 0)}
    posted = await client.get(
        f"{API}/transactions/{approved.json()['result']['transaction_id']}", headers=staff
    )
    assert (posted.json()["type"], posted.json()["description"]) == ("withdrawal", "cash")
    assert (await verify_ledger(db)).ok


async def test_a_frozen_source_refuses_the_approval_and_the_request_stays_pending(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], checker: Any
) -> None:
    source, target, headers = await two_accounts(client, app, staff)
    request = (await transfer(client, headers, source, target, "1200.00")).json()
    frozen = await client.patch(
        f"{API}/accounts/{source['id']}", json={"status": "frozen"}, headers=staff
    )
    assert frozen.status_code == 200, frozen.text

    refused = await client.post(f"{API}/approvals/{request['id']}/approve", headers=checker)

    assert refused.status_code == 409
    assert refused.json()["type"].endswith("/account-frozen")
    shown = (await client.get(f"{API}/approvals/{request['id']}", headers=staff)).json()
    assert shown["status"] == "pending"
    assert await balances(db, source["id"]) == {source["id"]: (500000, 120000)}


def test_thresholds_and_operations_are_validated(database_url: str) -> None:
    with pytest.raises(ValidationError, match="CUR:amount"):
        test_settings(database_url, approval_threshold="USD=100")
    with pytest.raises(ValidationError, match="one threshold"):
        test_settings(database_url, approval_threshold="USD:1,usd:2")
    with pytest.raises(ValidationError, match="unknown operations"):
        test_settings(database_url, approval_operations="transfer,teleport")


async def test_a_multi_leg_set_above_the_threshold_holds_each_net_outflow_then_posts_every_leg(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], checker: Any
) -> None:
    a, b, _ = await two_accounts(client, app, staff)
    c = await open_account(client, staff, customer_id=a["customer_id"])
    legs = [
        {"from_account_id": a["id"], "to_account_id": b["id"], "amount": "800.00"},
        {"from_account_id": a["id"], "to_account_id": c["id"], "amount": "400.00"},
        {"from_account_id": b["id"], "to_account_id": a["id"], "amount": "100.00"},
    ]
    entries = await entry_count(db)

    waiting = await client.post(
        f"{API}/transactions",
        json={"legs": legs, "metadata": {"order": "77"}},
        headers={**staff, **key()},
    )

    assert waiting.status_code == 202, waiting.text
    request = waiting.json()
    assert (request["operation"], request["amount"], request["currency"]) == (
        "multi_leg",
        "1300.00",
        "USD",
    )
    assert [leg["amount"] for leg in request["request"]["legs"]] == ["800.00", "400.00", "100.00"]
    assert await open_holds(db, a["id"]) == [110000]  # a loses 1,100.00 net; b and c gain
    assert await open_holds(db, b["id"]) == []
    assert await entry_count(db) == entries

    approved = await client.post(f"{API}/approvals/{request['id']}/approve", headers=checker)

    assert approved.status_code == 200, approved.text
    assert await balances(db, a["id"], b["id"], c["id"]) == {
        a["id"]: (390000, 0),
        b["id"]: (70000, 0),
        c["id"]: (40000, 0),
    }
    posted = await client.get(
        f"{API}/transactions/{approved.json()['result']['transaction_id']}", headers=staff
    )
    body = posted.json()
    assert (body["type"], body["metadata"]) == ("multi_leg", {"order": "77"})
    assert [leg["amount"] for leg in body["legs"]] == ["800.00", "400.00", "100.00"]
    assert (await verify_ledger(db)).ok


async def test_a_multi_leg_set_waits_when_any_currency_is_above_its_threshold(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], checker: Any
) -> None:
    usd, usd_other, _ = await two_accounts(client, app, staff)
    eur, _, _ = await funded_account(client, app, staff, "2000.00", currency="EUR")
    eur_other = await open_account(client, staff, customer_id=eur["customer_id"], currency="EUR")

    def fx(usd_amount: str, eur_amount: str) -> dict[str, Any]:
        return {
            "legs": [
                {
                    "from_account_id": usd["id"],
                    "to_account_id": usd_other["id"],
                    "amount": usd_amount,
                },
                {
                    "from_account_id": eur["id"],
                    "to_account_id": eur_other["id"],
                    "amount": eur_amount,
                },
            ]
        }

    below = await client.post(f"{API}/transactions", json=fx("900.00", "400.00"), headers=staff)
    assert below.status_code == 201, below.text
    waiting = await client.post(f"{API}/transactions", json=fx("10.00", "600.00"), headers=staff)
    assert waiting.status_code == 202, waiting.text
    assert await open_holds(db, usd["id"]) == [1000]
    assert await open_holds(db, eur["id"]) == [60000]

    rejected = await client.post(
        f"{API}/approvals/{waiting.json()['id']}/reject", json={"reason": "no"}, headers=checker
    )

    assert rejected.status_code == 200, rejected.text
    assert await balances(db, usd["id"], eur["id"]) == {
        usd["id"]: (410000, 0),
        eur["id"]: (160000, 0),
    }


def test_the_settings_know_every_operation_the_approvals_do() -> None:
    """APPROVAL_OPERATIONS is validated against config's list: it names the same operations."""
    from corebank.config import APPROVAL_OPERATIONS
    from corebank.models.approval import ApprovalOperation

    assert set(APPROVAL_OPERATIONS) == {str(op) for op in ApprovalOperation}


async def test_a_hold_of_a_pending_request_is_ended_only_by_its_decision(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], checker: Any
) -> None:
    """Capturing or voiding such a hold by hand would skip the second person (found by review:
    a maker captured their own withdrawal's hold); a capture above the threshold of a hold made
    by hand is refused too (it is a withdrawal by another name)."""
    account, _, _ = await funded_account(client, app, staff, "5000.00")
    waiting = await client.post(
        f"{API}/accounts/{account['id']}/withdrawals",
        json={"amount": "4000.00"},
        headers={**staff, **key()},
    )
    (hold_id,) = waiting.json()["hold_ids"]
    for action, body in (("capture", {}), ("void", None)):
        refused = await client.post(f"{API}/holds/{hold_id}/{action}", json=body, headers=staff)
        assert refused.status_code == 409, refused.text
        assert refused.json()["type"].endswith("/hold-reserved-for-approval")
    assert await balances(db, account["id"]) == {account["id"]: (500000, 400000)}
    rejected = await client.post(
        f"{API}/approvals/{waiting.json()['id']}/reject", json={"reason": "no"}, headers=checker
    )
    assert rejected.status_code == 200

    made = await client.post(
        f"{API}/accounts/{account['id']}/holds", json={"amount": "3000.00"}, headers=staff
    )
    assert made.status_code == 201
    too_big = await client.post(
        f"{API}/holds/{made.json()['id']}/capture", json={"amount": "1500.00"}, headers=staff
    )
    assert too_big.status_code == 422 and too_big.json()["type"].endswith("/approval-required")
    small = await client.post(
        f"{API}/holds/{made.json()['id']}/capture", json={"amount": "900.00"}, headers=staff
    )
    assert small.status_code == 201, small.text
    assert await balances(db, account["id"]) == {account["id"]: (410000, 0)}


async def test_a_checker_never_decides_a_request_that_pays_them(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str], checker: Any
) -> None:
    """Found by review: four eyes compared the checker with the maker only. A staff member
    whose own customer record owns the payee account may not approve the transfer to it."""
    source, _, _ = await two_accounts(client, app, staff)
    insider, insider_headers = await login_as(app, "staff")
    insiders_record = await make_customer(app, user_id=insider.id)
    payee = await open_account(client, staff, customer_id=insiders_record.id)
    waiting = await transfer(client, staff, source, payee, "1500.00")
    assert waiting.status_code == 202

    refused = await client.post(
        f"{API}/approvals/{waiting.json()['id']}/approve", headers=insider_headers
    )

    assert refused.status_code == 403, refused.text
    assert refused.json()["type"].endswith("/four-eyes-violation")
    approved = await client.post(f"{API}/approvals/{waiting.json()['id']}/approve", headers=checker)
    assert approved.status_code == 200


def test_a_threshold_the_currency_cannot_hold_refuses_to_start(database_url: str) -> None:
    from corebank.approvals.policy import ApprovalPolicy

    for bad, said in (("USD:1.001", "APPROVAL_THRESHOLD 'USD:1.001'"), ("XYZ:5", "CURRENCIES")):
        with pytest.raises(ValueError, match=said):
            ApprovalPolicy.from_settings(test_settings(database_url, approval_threshold=bad))
