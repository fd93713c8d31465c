"""Strong authentication for multi-leg transactions: one challenge covers the whole set (every
leg, in order), and its code posts exactly that set, once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corebank.core.clock import FrozenClock
from corebank.models import Customer, JournalEntry, ScaChallenge, TrustedPayee
from tests.ledger.helpers import API, balances, entry_count, funded_account, key, open_account
from tests.sca.test_transfers import authorization, transfer, with_totp
from tests.support import audit_rows, login_as

URL = f"{API}/transactions"
PIN = {"X-Transaction-PIN": "4071"}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"sca_required": True}


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


@pytest.fixture
async def payer(
    client: httpx.AsyncClient, app: Any, db: Any, staff: dict[str, str]
) -> dict[str, Any]:
    """A customer with 500.00 USD and 200.00 EUR, and two payees in USD and one in EUR."""
    usd, headers, user = await funded_account(client, app, staff, "500.00")
    async with db.session() as session:
        customer_id = await session.scalar(select(Customer.id).where(Customer.user_id == user.id))
    eur = await open_account(client, staff, customer_id=customer_id, currency="EUR")
    deposited = await client.post(
        f"{API}/accounts/{eur['id']}/deposits", json={"amount": "200.00"}, headers=staff
    )
    assert deposited.status_code == 201
    payees = [
        (await funded_account(client, app, staff, "", currency=currency))[0]["id"]
        for currency in ("USD", "USD", "EUR")
    ]
    return {
        "headers": headers,
        "user": user,
        "usd": usd["id"],
        "eur": eur["id"],
        "payees": payees,
        "customer_id": customer_id,
    }


def leg(source: int, payee: int, amount: str) -> dict[str, Any]:
    return {"from_account_id": source, "to_account_id": payee, "amount": amount}


def the_set(payer: dict[str, Any]) -> list[dict[str, Any]]:
    first, second, euro = payer["payees"]
    return [
        leg(payer["usd"], first, "10.00"),
        leg(payer["usd"], second, "5.00"),
        leg(payer["eur"], euro, "7.50"),
    ]


async def post_set(
    client: httpx.AsyncClient, payer: dict[str, Any], legs: list[dict[str, Any]], **headers: str
) -> httpx.Response:
    return await client.post(
        URL, json={"legs": legs}, headers={**payer["headers"], **key(), **headers}
    )


async def challenges(db: Any) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(ScaChallenge)) or 0


async def state(db: Any, payer: dict[str, Any]) -> tuple[Any, ...]:
    ids = (payer["usd"], payer["eur"], *payer["payees"])
    return await balances(db, *ids), await entry_count(db)


async def test_a_set_paying_others_answers_one_challenge_for_every_leg(
    client: httpx.AsyncClient, db: Any, payer: dict[str, Any]
) -> None:
    before = await state(db, payer)
    refused = await post_set(client, payer, the_set(payer))
    assert refused.status_code == 401, refused.text
    problem = refused.json()
    assert problem["type"].endswith("/sca-required")
    challenge = problem["challenge"]
    assert (challenge["purpose"], challenge["status"]) == ("payment_set", "pending")
    assert (challenge["amount"], challenge["payee_account_id"]) == (None, None)
    assert len(challenge["legs_digest"]) == 64
    assert challenge["legs_summary"] == {
        "leg_count": 3,
        "totals": [
            {"currency": "USD", "amount": "15.00"},
            {"currency": "EUR", "amount": "7.50"},
        ],
        "payee_account_ids": payer["payees"],
    }
    read = await client.get(f"{API}/auth/challenges/{challenge['id']}", headers=payer["headers"])
    assert read.status_code == 200
    assert read.json()["legs_digest"] == challenge["legs_digest"]
    assert read.json()["legs_summary"] == challenge["legs_summary"]
    assert await state(db, payer) == before  # nothing moved, no entry
    assert await challenges(db) == 1
    [created] = await audit_rows(db, "sca.challenge_created")
    assert created.after["legs_summary"] == challenge["legs_summary"]


async def test_the_code_posts_exactly_that_set_once(
    client: httpx.AsyncClient, db: Any, clock: FrozenClock, payer: dict[str, Any]
) -> None:
    totp = await with_totp(client, payer["headers"], clock)
    legs = the_set(payer)
    first_key = key()
    refused = await client.post(URL, json={"legs": legs}, headers={**payer["headers"], **first_key})
    challenge = refused.json()["challenge"]
    auth = await authorization(client, payer["headers"], challenge, totp.at(clock.now()))
    before = await state(db, payer)

    first, second, euro = payer["payees"]
    changed = {
        "an amount": [legs[0], legs[1], leg(payer["eur"], euro, "7.51")],
        "a payee": [legs[0], leg(payer["usd"], first, "5.00"), legs[2]],
        "the order": [legs[1], legs[0], legs[2]],
        "a leg added": [*legs, leg(payer["usd"], second, "0.01")],
        "a leg removed": legs[:2],
    }
    for what, other in changed.items():
        response = await post_set(client, payer, other, **auth)
        assert response.status_code == 403, (what, response.text)
        assert response.json()["type"].endswith("/sca-authorization-invalid"), what
        assert await state(db, payer) == before, what
    as_transfer = await transfer(client, payer["headers"], payer["usd"], first, "10.00", **auth)
    assert as_transfer.status_code == 403  # a set's code does not authorize a transfer
    assert await state(db, payer) == before

    # the identical set, retried under the first attempt's key (the 401 was not stored)
    paid = await client.post(
        URL, json={"legs": legs}, headers={**payer["headers"], **first_key, **auth}
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["totals"] == [
        {"currency": "USD", "amount": "15.00"},
        {"currency": "EUR", "amount": "7.50"},
    ]
    assert await balances(db, payer["usd"], payer["eur"], *payer["payees"]) == {
        payer["usd"]: (48500, 0),
        payer["eur"]: (19250, 0),
        first: (1000, 0),
        second: (500, 0),
        euro: (750, 0),
    }
    async with db.session() as session:
        stored = await session.get(ScaChallenge, challenge["id"])
        entries = await session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.id == paid.json()["id"])
        )
    assert stored is not None and stored.status == "consumed" and entries == 1
    assert len(await audit_rows(db, "sca.challenge_consumed")) == 1

    replayed = await client.post(
        URL, json={"legs": legs}, headers={**payer["headers"], **first_key, **auth}
    )
    assert replayed.status_code == 201 and replayed.headers["Idempotency-Replayed"] == "true"
    after = await state(db, payer)
    used = await post_set(client, payer, legs, **auth)
    assert used.status_code == 403 and used.json()["type"].endswith("/sca-authorization-invalid")
    assert await state(db, payer) == after


async def test_a_transfers_code_does_not_authorize_a_set(
    client: httpx.AsyncClient, db: Any, clock: FrozenClock, payer: dict[str, Any]
) -> None:
    totp = await with_totp(client, payer["headers"], clock)
    first = payer["payees"][0]
    refused = await transfer(client, payer["headers"], payer["usd"], first, "10.00")
    assert refused.status_code == 401 and refused.json()["challenge"]["purpose"] == "transfer"
    auth = await authorization(
        client, payer["headers"], refused.json()["challenge"], totp.at(clock.now())
    )
    before = await state(db, payer)
    # a "set" of that one payment, twice over, is not the transfer the code was made for
    legs = [leg(payer["usd"], first, "10.00"), leg(payer["usd"], first, "10.00")]
    response = await post_set(client, payer, legs, **auth)
    assert response.status_code == 403
    assert response.json()["type"].endswith("/sca-authorization-invalid")
    assert await state(db, payer) == before
    still = await transfer(client, payer["headers"], payer["usd"], first, "10.00", **auth)
    assert still.status_code == 201  # the refusal did not spend the transfer's code


async def test_the_pin_sent_with_the_set_is_enough(
    client: httpx.AsyncClient, db: Any, payer: dict[str, Any]
) -> None:
    pin = await client.put(
        f"{API}/users/me/pin",
        headers=payer["headers"],
        json={"pin": "4071", "current_password": "Tr0ub4dor&3-horse"},
    )
    assert pin.status_code == 204, pin.text
    paid = await post_set(client, payer, the_set(payer), **PIN)
    assert paid.status_code == 201, paid.text
    assert (await balances(db, payer["usd"]))[payer["usd"]] == (48500, 0)
    assert await challenges(db) == 0


async def test_trusted_payees_exempt_a_set_only_when_every_payee_is_trusted(
    client: httpx.AsyncClient, db: Any, payer: dict[str, Any]
) -> None:
    first, second, _ = payer["payees"]
    async with db.transaction() as session:
        session.add(
            TrustedPayee(user_id=payer["user"].id, account_id=first, created_at=datetime.now(UTC))
        )
    one_untrusted = [leg(payer["usd"], first, "1.00"), leg(payer["usd"], second, "1.00")]
    challenged = await post_set(client, payer, one_untrusted)
    assert challenged.status_code == 401
    assert challenged.json()["challenge"]["legs_summary"]["payee_account_ids"] == [first, second]
    trusted_only = [leg(payer["usd"], first, "1.00"), leg(payer["usd"], first, "2.00")]
    paid = await post_set(client, payer, trusted_only)
    assert paid.status_code == 201, paid.text
    assert (await balances(db, first))[first] == (300, 0)


async def test_own_accounts_and_staff_need_no_factor(
    client: httpx.AsyncClient, app: Any, db: Any, staff: dict[str, str], payer: dict[str, Any]
) -> None:
    savings = await open_account(client, staff, customer_id=payer["customer_id"])
    own = await post_set(client, payer, [leg(payer["usd"], savings["id"], "10.00")] * 2)
    assert own.status_code == 201, own.text
    by_staff = await client.post(URL, json={"legs": the_set(payer)}, headers=staff)
    assert by_staff.status_code == 201, by_staff.text
    assert await balances(db, payer["usd"], savings["id"]) == {
        payer["usd"]: (46500, 0),
        savings["id"]: (2000, 0),
    }
    assert await challenges(db) == 0
