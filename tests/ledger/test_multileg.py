"""Multi-leg transactions (POST /transactions): every leg in one entry or none, limits on the
balances after all legs, refusals naming the leg, idempotency, reversal, history, events."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from corebank.core.db import Database
from corebank.ledger.verify import verify_ledger
from corebank.models import Customer, JournalEntry, OutboxEvent
from tests.ledger.helpers import (
    API,
    balances,
    customer_user,
    deposit,
    entry_count,
    funded_account,
    key,
    ledger_total,
    open_account,
    posting_count,
)
from tests.support import audit_rows, login_as

URL = f"{API}/transactions"


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


@pytest.fixture
async def admin(app: Any) -> dict[str, str]:
    return (await login_as(app, "admin"))[1]


def leg(source: int, destination: int, amount: str) -> dict[str, Any]:
    return {"from_account_id": source, "to_account_id": destination, "amount": amount}


async def post_legs(
    client: httpx.AsyncClient, headers: dict[str, str], *legs: dict[str, Any], **body: Any
) -> httpx.Response:
    return await client.post(URL, json={"legs": list(legs), **body}, headers={**headers, **key()})


async def posted_events(db: Database) -> list[OutboxEvent]:
    async with db.session() as session:
        found = await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.type.in_(["transaction.posted", "transaction.reversed"]))
            .order_by(OutboxEvent.id)
        )
        return list(found.all())


async def state(db: Database, *ids: int) -> tuple[Any, ...]:
    """What a refusal must leave alone: balances, entries, postings and transaction events."""
    return (
        await balances(db, *ids),
        await entry_count(db),
        await posting_count(db),
        len(await posted_events(db)),
    )


def assert_refused(
    response: httpx.Response, status: int, problem: str, legs: list[tuple[int, str]]
) -> None:
    """The refusal's status and type, and the legs it names (numbered from 1) with reasons."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith(f"/{problem}"), body
    named = [(e["leg"], e["reason"]) for e in body["errors"]]
    assert named == legs, body
    for error in body["errors"]:
        assert error["loc"] == ["body", "legs", error["leg"] - 1]
    assert "nothing moved" in body["detail"]


async def funded_ids(
    client: httpx.AsyncClient, app: Any, staff: dict[str, str], *amounts: str
) -> list[int]:
    ids = []
    for amount in amounts:
        account, _, _ = await funded_account(client, app, staff, amount)
        ids.append(account["id"])
    return ids


async def test_staff_posts_every_leg_in_one_entry(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    a, b, c = await funded_ids(client, app, staff, "100.00", "5.00", "")
    entries, postings = await entry_count(db), await posting_count(db)
    response = await post_legs(
        client,
        staff,
        leg(a, b, "10.00"),
        leg(a, c, "5.00"),
        leg(b, c, "2.50"),
        description="split",
        metadata={"invoice": "INV-7", "channel": "api"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["type"], body["status"], body["amount"], body["currency"]) == (
        "multi_leg",
        "posted",
        "17.50",
        "USD",
    )
    assert body["description"] == "split"
    assert body["metadata"] == {"invoice": "INV-7", "channel": "api"}
    assert body["legs"] == [
        {"leg": 1, "from_account_id": a, "to_account_id": b, "amount": "10.00", "currency": "USD"},
        {"leg": 2, "from_account_id": a, "to_account_id": c, "amount": "5.00", "currency": "USD"},
        {"leg": 3, "from_account_id": b, "to_account_id": c, "amount": "2.50", "currency": "USD"},
    ]
    # each leg posts its debit then its credit; an account posted twice gets two balances
    assert [(p["account_id"], p["amount"], p["balance_after"]) for p in body["postings"]] == [
        (a, "-10.00", "90.00"),
        (b, "10.00", "15.00"),
        (a, "-5.00", "85.00"),
        (c, "5.00", "5.00"),
        (b, "-2.50", "12.50"),
        (c, "2.50", "7.50"),
    ]
    assert {x["account_id"]: x["balance"] for x in body["balances"]} == {
        a: "85.00",
        b: "12.50",
        c: "7.50",
    }
    assert await balances(db, a, b, c) == {a: (8500, 0), b: (1250, 0), c: (750, 0)}
    assert await entry_count(db) == entries + 1 and await posting_count(db) == postings + 6
    async with db.session() as session:
        entry = await session.get(JournalEntry, body["id"])
    assert entry is not None and entry.entry_metadata == body["metadata"]
    [event] = [e for e in await posted_events(db) if e.aggregate_id == str(body["id"])]
    assert event.type == "transaction.posted"
    assert event.payload["type"] == "multi_leg" and event.payload["amount_minor"] == 1750
    assert event.payload["legs"][2] == {
        "leg": 3,
        "from_account_id": b,
        "to_account_id": c,
        "amount_minor": 250,
        "currency": "USD",
    }
    assert event.payload["totals"] == [{"currency": "USD", "amount_minor": 1750}]
    assert body["totals"] == [{"currency": "USD", "amount": "17.50"}]
    assert event.payload["metadata"] == {"invoice": "INV-7", "channel": "api"}
    [audited] = [
        r for r in await audit_rows(db, "transaction.posted") if r.target_id == str(body["id"])
    ]
    assert audited.after["legs"] == event.payload["legs"]
    fetched = (await client.get(f"{URL}/{body['id']}", headers=staff)).json()
    assert fetched["legs"] == body["legs"] and fetched["metadata"] == body["metadata"]
    assert fetched["amount"] == "17.50" and len(fetched["postings"]) == 6
    assert await ledger_total(db) == 0
    report = await verify_ledger(db)
    assert report.ok, report.problems


async def test_history_and_statement_show_each_leg(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    a, b, c = await funded_ids(client, app, staff, "100.00", "", "")
    response = await post_legs(
        client, staff, leg(a, b, "10.00"), leg(b, c, "4.00"), leg(a, b, "1.00")
    )
    assert response.status_code == 201, response.text
    entry_id = response.json()["id"]
    history = (await client.get(f"{API}/accounts/{b}/transactions", headers=staff)).json()
    lines = [(x["id"], x["type"], x["amount"], x["balance_after"]) for x in history["items"]]
    assert lines == [
        (entry_id, "multi_leg", "1.00", "7.00"),
        (entry_id, "multi_leg", "-4.00", "6.00"),
        (entry_id, "multi_leg", "10.00", "10.00"),
    ]
    filtered = await client.get(
        f"{API}/accounts/{b}/transactions",
        params={"min_amount": "2.00", "type": "multi_leg"},
        headers=staff,
    )
    assert [x["amount"] for x in filtered.json()["items"]] == ["-4.00", "10.00"]
    day = {"from": response.json()["created_at"][:10], "to": response.json()["created_at"][:10]}
    statement = (
        await client.get(f"{API}/accounts/{b}/statement", params=day, headers=staff)
    ).json()
    assert [(x["amount"], x["balance"]) for x in statement["lines"]] == [
        ("10.00", "10.00"),
        ("-4.00", "6.00"),
        ("1.00", "7.00"),
    ]
    assert (statement["opening_balance"], statement["closing_balance"]) == ("0.00", "7.00")
    csv = (
        await client.get(
            f"{API}/accounts/{b}/statement", params={**day, "format": "csv"}, headers=staff
        )
    ).text
    assert csv.count(",multi_leg,") == 3


async def test_limits_are_checked_on_the_balances_after_all_legs(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    """A credit anywhere in the set funds a debit anywhere in it; only the end state counts."""
    empty, rich, payee = await funded_ids(client, app, staff, "", "100.00", "")
    credit_first = await post_legs(
        client, staff, leg(rich, empty, "50.00"), leg(empty, payee, "50.00")
    )
    assert credit_first.status_code == 201, credit_first.text
    debit_first = await post_legs(
        client, staff, leg(empty, payee, "30.00"), leg(rich, empty, "30.00")
    )
    assert debit_first.status_code == 201, debit_first.text
    assert await balances(db, empty, rich, payee) == {
        empty: (0, 0),
        rich: (2000, 0),
        payee: (8000, 0),
    }

    before = await state(db, empty, rich, payee)
    too_much = await post_legs(client, staff, leg(rich, empty, "10.00"), leg(empty, payee, "10.01"))
    assert_refused(too_much, 422, "insufficient-funds", [(2, "insufficient_funds")])
    assert await state(db, empty, rich, payee) == before  # nothing moved, no entry, no event

    account, _, _ = await funded_account(client, app, staff, "", credit_limit_minor=1_000)
    own = account["id"]
    raised = await client.patch(
        f"{API}/accounts/{own}", json={"overdraft_limit": "10.00"}, headers=staff
    )
    assert raised.status_code == 200  # the overdraft counts too: own may end at -10.00
    within = await post_legs(client, staff, leg(rich, own, "5.00"), leg(own, payee, "15.00"))
    assert within.status_code == 201, within.text
    assert (await balances(db, own))[own] == (-1000, 0)


async def test_insufficient_funds_names_the_leg_that_does_not_fit(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    rich, poor, payee = await funded_ids(client, app, staff, "100.00", "20.00", "")
    before = await state(db, rich, poor, payee)
    response = await post_legs(
        client,
        staff,
        leg(rich, payee, "60.00"),
        leg(poor, payee, "15.00"),
        leg(poor, payee, "5.01"),
        leg(rich, payee, "40.01"),
    )
    # poor's 15.00 fits, its next 5.01 does not (leg 3); rich's 60.00 fits, its 40.01 not (leg 4)
    assert_refused(
        response, 422, "insufficient-funds", [(3, "insufficient_funds"), (4, "insufficient_funds")]
    )
    assert await state(db, rich, poor, payee) == before
    hold = await client.post(f"{API}/accounts/{poor}/holds", json={"amount": "5.00"}, headers=staff)
    assert hold.status_code == 201
    held = await post_legs(client, staff, leg(poor, payee, "10.00"), leg(poor, rich, "5.01"))
    assert_refused(held, 422, "insufficient-funds", [(2, "insufficient_funds")])


async def test_refusals_name_the_leg_and_move_nothing(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    a, b, c = await funded_ids(client, app, staff, "100.00", "100.00", "")
    euro, _, _ = await funded_account(client, app, staff, "100.00", currency="EUR")
    frozen, _, _ = await funded_account(client, app, staff, "100.00")
    closed, closed_headers, _ = await funded_account(client, app, staff, "")
    freeze = await client.patch(
        f"{API}/accounts/{frozen['id']}", json={"status": "frozen"}, headers=staff
    )
    assert freeze.status_code == 200
    close = await client.post(f"{API}/accounts/{closed['id']}/close", headers=closed_headers)
    assert close.status_code == 200
    ids = (a, b, c, euro["id"], frozen["id"], closed["id"])
    before = await state(db, *ids)
    ok = leg(a, b, "1.00")
    cases = [
        ([ok, leg(c, c, "1.00")], 422, "same-account", [(2, "same_account")]),
        ([ok, leg(a, 999_999, "1.00")], 404, "account-not-found", [(2, "account_not_found")]),
        ([leg(999_998, a, "1.00"), ok], 404, "account-not-found", [(1, "account_not_found")]),
        ([ok, leg(a, closed["id"], "1.00")], 409, "account-closed", [(2, "account_closed")]),
        ([ok, leg(frozen["id"], a, "1.00")], 409, "account-frozen", [(2, "account_frozen")]),
        ([ok, leg(a, euro["id"], "1.00")], 422, "currency-mismatch", [(2, "currency_mismatch")]),
        (
            [ok, leg(a, c, "1.001"), leg(b, c, "0.5")],
            422,
            "validation-error",
            [(2, "invalid_amount")],
        ),
        (
            [ok, leg(a, c, "1.00"), leg(b, b, "1.00"), leg(c, c, "1.00")],
            422,
            "same-account",
            [(3, "same_account"), (4, "same_account")],
        ),
    ]
    for legs, status, problem, named in cases:
        response = await post_legs(client, staff, *legs)
        assert_refused(response, status, problem, named)
        assert await state(db, *ids) == before, (legs, response.text)
    frozen_in = await post_legs(client, staff, leg(a, frozen["id"], "1.00"), ok)
    assert frozen_in.status_code == 201  # a frozen account still takes money in


BAD_BODIES: list[Any] = [
    {"legs": []},
    {"legs": [leg(1, 2, "1.00")]},
    {"legs": [leg(1, 2, "1.00")] * 65},
    {"legs": [leg(1, 2, "1.00")] * 2, "metadata": {f"k{n}": "v" for n in range(17)}},
    {"legs": [leg(1, 2, "1.00")] * 2, "metadata": {"k" * 65: "v"}},
    {"legs": [leg(1, 2, "1.00")] * 2, "metadata": {"a b": "v"}},
    {"legs": [leg(1, 2, "1.00")] * 2, "metadata": {"": "v"}},
    {"legs": [leg(1, 2, "1.00")] * 2, "metadata": {"k": "v" * 257}},
    {"legs": [leg(1, 2, "1.00")] * 2, "metadata": {"k": 5}},
    {"legs": [leg(1, 2, "1.00")] * 2, "metadata": {"k": {"nested": "v"}}},
    {"legs": [leg(1, 2, "1.00")] * 2, "metadata": {f"k{n}": "é" * 70 for n in range(16)}},
    {"legs": [leg(1, 2, "1.00")] * 2, "metadata": ["not", "an", "object"]},
    {"legs": [leg(1, 2, "1.00")] * 2, "unknown": 1},
    {"legs": [{**leg(1, 2, "1.00"), "linked_hold_id": 1}] * 2},
    {"legs": [leg(1, 2, "1.00"), leg(0, 2, "1.00")]},
    {"legs": [leg(1, 2, "1.00"), leg(1, 2**63, "1.00")]},
    {"legs": [leg(1, 2, "1.00"), leg(1, 2, "0")]},
    {"legs": [leg(1, 2, "1.00"), leg(1, 2, "-1.00")]},
    {"legs": [leg(1, 2, "1.00"), leg(1, 2, "1e2")]},
    {"legs": [leg(1, 2, "1.00"), leg(1, 2, 5)]},
    {"legs": [leg(1, 2, "1.00"), leg(1, 2, "NaN")]},
]


async def test_malformed_bodies_are_422_and_move_nothing(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    a, b = await funded_ids(client, app, staff, "100.00", "")
    before = await state(db, a, b)
    for body in BAD_BODIES:
        response = await client.post(URL, json=body, headers={**staff, **key()})
        assert response.status_code == 422, (body, response.text)
        problem = response.json()
        assert problem["type"].endswith("/validation-error") and problem["errors"], problem
    assert await state(db, a, b) == before
    for control in ("v\u0000x", "line\nbreak", "bell\u0007"):
        response = await post_legs(
            client, staff, leg(a, b, "1.00"), leg(a, b, "1.00"), metadata={"k": control}
        )
        assert response.status_code == 422, (control, response.text)
    assert await state(db, a, b) == before
    fits = {f"k{n}": "v" * 100 for n in range(16)}  # 16 keys, under 2 KiB as JSON
    response = await post_legs(client, staff, leg(a, b, "1.00"), leg(a, b, "1.00"), metadata=fits)
    assert response.status_code == 201 and response.json()["metadata"] == fits
    yen, _, _ = await funded_account(client, app, staff, "500", currency="JPY")
    yen_too, _, _ = await funded_account(client, app, staff, "", currency="JPY")
    half_yen = await post_legs(
        client, staff, leg(yen["id"], yen_too["id"], "1"), leg(yen["id"], yen_too["id"], "1.5")
    )
    assert_refused(half_yen, 422, "validation-error", [(2, "invalid_amount")])
    assert (await balances(db, yen["id"]))[yen["id"]] == (500, 0)


async def test_customers_debit_only_their_own_accounts(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    mine, headers, user = await funded_account(client, app, staff, "100.00")
    savings = await open_account(client, staff, customer_id=(await _customer_id(db, user.id)))
    other, other_headers, _ = await funded_account(client, app, staff, "50.00")
    third, _, _ = await funded_account(client, app, staff, "")
    frozen, _, _ = await funded_account(client, app, staff, "")
    euro, _, _ = await funded_account(client, app, staff, "", currency="EUR")
    await client.patch(f"{API}/accounts/{frozen['id']}", json={"status": "frozen"}, headers=staff)
    ids = (mine["id"], savings["id"], other["id"], third["id"], frozen["id"], euro["id"])
    before = await state(db, *ids)

    no_key = await client.post(
        URL, json={"legs": [leg(mine["id"], other["id"], "1.00")] * 2}, headers=headers
    )
    assert no_key.status_code == 400
    assert no_key.json()["type"].endswith("/idempotency-key-required")
    theirs = await post_legs(
        client, headers, leg(mine["id"], third["id"], "1.00"), leg(other["id"], mine["id"], "9.00")
    )
    assert_refused(theirs, 404, "account-not-found", [(2, "account_not_found")])
    for payee in (frozen["id"], euro["id"], 999_999):
        cannot = await post_legs(
            client, headers, leg(mine["id"], third["id"], "1.00"), leg(mine["id"], payee, "1.00")
        )
        # the same answer for frozen, another currency and missing: nothing about the account
        assert_refused(cannot, 422, "cannot-receive-transfer", [(2, "cannot_receive")])
        assert cannot.json()["errors"][0]["msg"] == "That account cannot receive this leg."
    # probing many payees in one request tells no more than a transfer: the first one only
    probe = await post_legs(
        client, headers, *(leg(mine["id"], payee, "1.00") for payee in (frozen["id"], euro["id"]))
    )
    assert_refused(probe, 422, "cannot-receive-transfer", [(1, "cannot_receive")])
    assert await state(db, *ids) == before

    paid = await post_legs(
        client,
        headers,
        leg(mine["id"], other["id"], "10.00"),
        leg(mine["id"], third["id"], "5.00"),
        leg(mine["id"], savings["id"], "1.00"),
        metadata={"order": "42"},
    )
    assert paid.status_code == 201, paid.text
    body = paid.json()
    assert {x["account_id"] for x in body["balances"]} == {mine["id"], savings["id"]}
    shown = {p["account_id"]: p["balance_after"] for p in body["postings"]}
    assert shown[other["id"]] is None and shown[third["id"]] is None
    # the payee sees only its own leg, its amount, and not the payer's metadata
    seen = (await client.get(f"{URL}/{body['id']}", headers=other_headers)).json()
    assert seen["legs"] == [
        {
            "leg": 1,
            "from_account_id": mine["id"],
            "to_account_id": other["id"],
            "amount": "10.00",
            "currency": "USD",
        }
    ]
    assert seen["amount"] == "10.00" and seen["metadata"] is None
    assert [p["account_id"] for p in seen["postings"]] == [mine["id"], other["id"]]
    by_payer = (await client.get(f"{URL}/{body['id']}", headers=headers)).json()
    assert len(by_payer["legs"]) == 3 and by_payer["metadata"] == {"order": "42"}
    assert by_payer["amount"] == "16.00"
    _, stranger, _ = await customer_user(app)
    assert (await client.get(f"{URL}/{body['id']}", headers=stranger)).status_code == 404
    history = f"{API}/accounts/{other['id']}/transactions"
    for low, lines in (("10.00", 1), ("10.01", 0)):  # the filter reads the leg, not the total
        params = {"min_amount": low, "type": "multi_leg"}
        found = await client.get(history, params=params, headers=other_headers)
        assert len(found.json()["items"]) == lines, found.text
    assert (await balances(db, mine["id"], third["id"])) == {
        mine["id"]: (8400, 0),
        third["id"]: (500, 0),
    }


async def test_the_pin_is_needed_once_set(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    mine, headers, _ = await funded_account(client, app, staff, "100.00")
    other, _, _ = await funded_account(client, app, staff, "")
    set_pin = await client.put(
        f"{API}/users/me/pin",
        headers=headers,
        json={"pin": "4071", "current_password": "Tr0ub4dor&3-horse"},
    )
    assert set_pin.status_code == 204, set_pin.text
    legs = (leg(mine["id"], other["id"], "1.00"), leg(mine["id"], other["id"], "2.00"))
    before = await state(db, mine["id"], other["id"])
    missing = await post_legs(client, headers, *legs)
    assert missing.status_code == 403
    assert missing.json()["type"].endswith("/transaction-pin-required")
    wrong = await client.post(
        URL, json={"legs": list(legs)}, headers={**headers, **key(), "X-Transaction-PIN": "1111"}
    )
    assert wrong.status_code == 403
    assert wrong.json()["type"].endswith("/invalid-transaction-pin")
    assert await state(db, mine["id"], other["id"]) == before
    right = await client.post(
        URL, json={"legs": list(legs)}, headers={**headers, **key(), "X-Transaction-PIN": "4071"}
    )
    assert right.status_code == 201, right.text
    assert (await balances(db, mine["id"]))[mine["id"]] == (9700, 0)


async def test_idempotency_key_replays_and_refusals_stay_refused(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    mine, headers, _ = await funded_account(client, app, staff, "10.00")
    other, _, _ = await funded_account(client, app, staff, "")
    same = {**headers, **key()}
    body = {"legs": [leg(mine["id"], other["id"], "4.00"), leg(mine["id"], other["id"], "5.00")]}
    first = await client.post(URL, json=body, headers=same)
    assert first.status_code == 201, first.text
    entries = await entry_count(db)
    again = await client.post(URL, json=body, headers=same)
    assert again.status_code == 201 and again.headers["Idempotency-Replayed"] == "true"
    assert again.json() == first.json()
    assert await entry_count(db) == entries
    changed = await client.post(URL, json={**body, "description": "other"}, headers=same)
    assert changed.status_code == 422
    assert changed.json()["type"].endswith("/idempotency-key-reused")

    refused_key = {**headers, **key()}
    refused = await client.post(URL, json=body, headers=refused_key)  # 1.00 left, 9.00 asked
    assert_refused(refused, 422, "insufficient-funds", [(1, "insufficient_funds")])
    await deposit(client, staff, mine["id"], "100.00")
    replayed = await client.post(URL, json=body, headers=refused_key)
    assert replayed.status_code == 422 and replayed.headers["Idempotency-Replayed"] == "true"
    assert replayed.json() == refused.json()
    assert await entry_count(db) == entries + 1  # the deposit only
    assert (await balances(db, mine["id"], other["id"])) == {
        mine["id"]: (10100, 0),
        other["id"]: (900, 0),
    }


async def test_a_reversal_undoes_the_whole_entry_once(
    app: Any,
    client: httpx.AsyncClient,
    db: Database,
    staff: dict[str, str],
    admin: dict[str, str],
) -> None:
    a, b, c = await funded_ids(client, app, staff, "100.00", "", "")
    posted = await post_legs(
        client, staff, leg(a, b, "30.00"), leg(b, c, "10.00"), leg(a, c, "5.00")
    )
    assert posted.status_code == 201
    entry_id = posted.json()["id"]
    url = f"{URL}/{entry_id}/reverse"
    reversal = await client.post(url, json={"reason": "wrong split"}, headers=admin)
    assert reversal.status_code == 201, reversal.text
    body = reversal.json()
    assert body["type"] == "reversal" and body["reverses_transaction_id"] == entry_id
    assert body["amount"] == "45.00"
    assert body["legs"] == [
        {"leg": 1, "from_account_id": b, "to_account_id": a, "amount": "30.00", "currency": "USD"},
        {"leg": 2, "from_account_id": c, "to_account_id": b, "amount": "10.00", "currency": "USD"},
        {"leg": 3, "from_account_id": c, "to_account_id": a, "amount": "5.00", "currency": "USD"},
    ]
    assert [Decimal(p["amount"]) for p in body["postings"]] == [
        -Decimal(p["amount"]) for p in posted.json()["postings"]
    ]
    assert await balances(db, a, b, c) == {a: (10000, 0), b: (0, 0), c: (0, 0)}
    again = await client.post(url, json={"reason": "twice"}, headers=admin)
    assert again.status_code == 409 and again.json()["type"].endswith("/already-reversed")
    fetched = (await client.get(f"{URL}/{entry_id}", headers=staff)).json()
    assert fetched["status"] == "reversed" and fetched["reversed_by_transaction_id"] == body["id"]
    reversed_view = (await client.get(f"{URL}/{body['id']}", headers=staff)).json()
    assert reversed_view["legs"] == body["legs"]
    [event] = [e for e in await posted_events(db) if e.type == "transaction.reversed"]
    assert event.payload["legs"][0] == {
        "leg": 1,
        "from_account_id": b,
        "to_account_id": a,
        "amount_minor": 3000,
        "currency": "USD",
    }
    report = await verify_ledger(db)
    assert report.ok, report.problems


async def test_openapi_documents_the_endpoint_and_its_errors(client: httpx.AsyncClient) -> None:
    schema = (await client.get(f"{API}/openapi.json")).json()
    operation = schema["paths"]["/api/v1/transactions"]["post"]
    assert set(operation["responses"]) >= {"201", "400", "401", "403", "404", "409", "422"}
    described = " ".join(r["description"] for r in operation["responses"].values())
    for problem in (
        "sca-required",
        "sca-authorization-invalid",
        "account-not-found",
        "account-frozen",
        "account-closed",
        "same-account",
        "cannot-receive-transfer",
        "currency-mismatch",
        "insufficient-funds",
        "idempotency-key-reused",
    ):
        assert problem in described, problem
    body = schema["components"]["schemas"]["TransactionIn"]["properties"]
    assert (body["legs"]["minItems"], body["legs"]["maxItems"]) == (2, 64)
    assert body["metadata"]["maxProperties"] == 16


async def _customer_id(db: Database, user_id: int) -> int:
    async with db.session() as session:
        found = await session.scalar(select(Customer.id).where(Customer.user_id == user_id))
    assert found is not None
    return found


def test_statements_per_shape_are_kept_for_a_bounded_number_of_shapes() -> None:
    """A multi-leg entry can touch up to 128 accounts: every shape a caller can ask for, kept
    forever, would grow each worker by megabytes."""
    from corebank.ledger import repository

    for count in range(1, 129):
        repository._lock_statement(count)
    assert repository._lock_statement.cache_info().currsize <= repository.STATEMENT_SHAPES
