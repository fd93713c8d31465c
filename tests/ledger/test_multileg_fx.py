"""Multi-leg transactions across currencies: each leg in its accounts' one currency, each
currency balancing on its own, one entry for the whole set (a currency exchange through a
house's accounts)."""

from __future__ import annotations

from dataclasses import dataclass
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
    deposit,
    entry_count,
    funded_account,
    key,
    make_customer,
    open_account,
    posting_count,
)
from tests.support import login_as

URL = f"{API}/transactions"


@dataclass
class Exchange:
    """A customer with USD and EUR accounts, and a house (a bank-owned customer) with USD, EUR
    and JPY accounts holding what it exchanges."""

    headers: dict[str, str]
    usd: int
    eur: int
    house_usd: int
    house_eur: int
    house_jpy: int

    def ids(self) -> tuple[int, ...]:
        return (self.usd, self.eur, self.house_usd, self.house_eur, self.house_jpy)


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


@pytest.fixture
async def fx(app: Any, client: httpx.AsyncClient, staff: dict[str, str]) -> Exchange:
    usd, headers, user = await funded_account(client, app, staff, "150.00")
    customer_id = await _customer_of(app, user.id)
    eur = await open_account(client, staff, customer_id=customer_id, currency="EUR")
    house = await make_customer(app)
    house_ids = []
    for currency, funds in (("USD", ""), ("EUR", "1000.00"), ("JPY", "100000")):
        account = await open_account(client, staff, customer_id=house.id, currency=currency)
        if funds:
            await deposit(client, staff, account["id"], funds)
        house_ids.append(account["id"])
    return Exchange(headers, usd["id"], eur["id"], *house_ids)


async def _customer_of(app: Any, user_id: int) -> int:
    async with app.state.container.db.session() as session:
        found = await session.scalar(select(Customer.id).where(Customer.user_id == user_id))
    assert found is not None
    return found


def leg(source: int, destination: int, amount: str) -> dict[str, Any]:
    return {"from_account_id": source, "to_account_id": destination, "amount": amount}


async def post_legs(
    client: httpx.AsyncClient, headers: dict[str, str], *legs: dict[str, Any]
) -> httpx.Response:
    return await client.post(URL, json={"legs": list(legs)}, headers={**headers, **key()})


async def events_of(db: Database, entry_id: int) -> list[OutboxEvent]:
    async with db.session() as session:
        found = await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.aggregate_type == "transaction")
            .where(OutboxEvent.aggregate_id == str(entry_id))
        )
        return list(found.all())


async def test_an_exchange_posts_each_currency_on_its_own(
    client: httpx.AsyncClient, db: Database, staff: dict[str, str], fx: Exchange
) -> None:
    entries, postings = await entry_count(db), await posting_count(db)
    response = await post_legs(
        client, staff, leg(fx.usd, fx.house_usd, "100.00"), leg(fx.house_eur, fx.eur, "92.00")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    # the entry's currency is its first leg's, its amount that currency's legs; totals say all
    assert (body["currency"], body["amount"]) == ("USD", "100.00")
    assert body["totals"] == [
        {"currency": "USD", "amount": "100.00"},
        {"currency": "EUR", "amount": "92.00"},
    ]
    assert [(x["leg"], x["amount"], x["currency"]) for x in body["legs"]] == [
        (1, "100.00", "USD"),
        (2, "92.00", "EUR"),
    ]
    assert [(p["account_id"], p["amount"], p["balance_after"]) for p in body["postings"]] == [
        (fx.usd, "-100.00", "50.00"),
        (fx.house_usd, "100.00", "100.00"),
        (fx.house_eur, "-92.00", "908.00"),
        (fx.eur, "92.00", "92.00"),
    ]
    assert await balances(db, *fx.ids()) == {
        fx.usd: (5000, 0),
        fx.eur: (9200, 0),
        fx.house_usd: (10000, 0),
        fx.house_eur: (90800, 0),
        fx.house_jpy: (100000, 0),
    }
    assert (await entry_count(db), await posting_count(db)) == (entries + 1, postings + 4)
    async with db.session() as session:
        entry = await session.get(JournalEntry, body["id"])
    assert entry is not None and (entry.currency, entry.amount_minor) == ("USD", 10000)
    [event] = await events_of(db, body["id"])
    assert (event.type, event.payload["currency"], event.payload["amount_minor"]) == (
        "transaction.posted",
        "USD",
        10000,
    )
    assert event.payload["totals"] == [
        {"currency": "USD", "amount_minor": 10000},
        {"currency": "EUR", "amount_minor": 9200},
    ]
    assert [(g["leg"], g["amount_minor"], g["currency"]) for g in event.payload["legs"]] == [
        (1, 10000, "USD"),
        (2, 9200, "EUR"),
    ]
    report = await verify_ledger(db)
    assert report.ok, report.problems


async def test_the_customer_sees_their_legs_in_history_and_statements(
    client: httpx.AsyncClient, db: Database, staff: dict[str, str], fx: Exchange
) -> None:
    posted = await post_legs(
        client, staff, leg(fx.usd, fx.house_usd, "100.00"), leg(fx.house_eur, fx.eur, "92.00")
    )
    assert posted.status_code == 201, posted.text
    entry_id = posted.json()["id"]
    seen = (await client.get(f"{URL}/{entry_id}", headers=fx.headers)).json()
    assert [(x["leg"], x["currency"]) for x in seen["legs"]] == [(1, "USD"), (2, "EUR")]
    assert seen["totals"] == posted.json()["totals"]
    balance_after = {p["account_id"]: p["balance_after"] for p in seen["postings"]}
    assert balance_after == {
        fx.usd: "50.00",
        fx.eur: "92.00",
        fx.house_usd: None,
        fx.house_eur: None,
    }
    lines = {fx.usd: ("-100.00", "USD", "50.00"), fx.eur: ("92.00", "EUR", "92.00")}
    for account, line in lines.items():
        history = await client.get(f"{API}/accounts/{account}/transactions", headers=fx.headers)
        [first, *_] = history.json()["items"]
        assert first["id"] == entry_id and first["type"] == "multi_leg"
        assert (first["amount"], first["currency"], first["balance_after"]) == line
    day = {"from": posted.json()["created_at"][:10], "to": posted.json()["created_at"][:10]}
    found = await client.get(f"{API}/accounts/{fx.eur}/statement", params=day, headers=fx.headers)
    assert found.status_code == 200, found.text
    statement = found.json()
    assert statement["currency"] == "EUR"
    assert [(x["transaction_id"], x["amount"], x["balance"]) for x in statement["lines"]] == [
        (entry_id, "92.00", "92.00")
    ]
    assert (statement["opening_balance"], statement["closing_balance"]) == ("0.00", "92.00")


async def test_a_leg_between_two_currencies_is_named_and_nothing_moves(
    client: httpx.AsyncClient, db: Database, staff: dict[str, str], fx: Exchange
) -> None:
    before = (await balances(db, *fx.ids()), await entry_count(db))
    response = await post_legs(
        client,
        staff,
        leg(fx.usd, fx.house_usd, "100.00"),
        leg(fx.house_eur, fx.usd, "92.00"),
        leg(fx.house_jpy, fx.eur, "500"),
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"].endswith("/currency-mismatch")
    assert [(e["leg"], e["reason"]) for e in problem["errors"]] == [
        (2, "currency_mismatch"),
        (3, "currency_mismatch"),
    ]
    assert (await balances(db, *fx.ids()), await entry_count(db)) == before


async def test_amounts_follow_each_legs_currency(
    client: httpx.AsyncClient, db: Database, staff: dict[str, str], fx: Exchange, app: Any
) -> None:
    yen, _, _ = await funded_account(client, app, staff, "", currency="JPY")
    refused = await post_legs(
        client, staff, leg(fx.usd, fx.house_usd, "1.00"), leg(fx.house_jpy, yen["id"], "1.5")
    )
    assert refused.status_code == 422
    assert [(e["leg"], e["reason"]) for e in refused.json()["errors"]] == [(2, "invalid_amount")]
    posted = await post_legs(
        client, staff, leg(fx.usd, fx.house_usd, "1.00"), leg(fx.house_jpy, yen["id"], "150")
    )
    assert posted.status_code == 201, posted.text
    assert posted.json()["totals"] == [
        {"currency": "USD", "amount": "1.00"},
        {"currency": "JPY", "amount": "150"},
    ]
    assert posted.json()["postings"][3] == {
        "account_id": yen["id"],
        "amount": "150",
        "balance_after": "150",
    }
    assert (await balances(db, yen["id"]))[yen["id"]] == (150, 0)


async def test_limits_hold_per_account_after_all_legs_whatever_the_currencies(
    client: httpx.AsyncClient, db: Database, staff: dict[str, str], fx: Exchange
) -> None:
    """Each account is checked on the balance the whole set leaves it, in its own currency: a
    credit anywhere in the set funds a debit of the same account, and nothing else does."""
    before = (await balances(db, *fx.ids()), await entry_count(db))
    eur_short = await post_legs(
        client,
        staff,
        leg(fx.house_usd, fx.usd, "10.00"),  # empty, but leg 3 credits it 160.00: fits
        leg(fx.eur, fx.house_eur, "5.00"),  # empty, and the USD credits are not its own
        leg(fx.usd, fx.house_usd, "160.00"),  # 150.00 + 10.00 credited: fits
    )
    assert eur_short.status_code == 422, eur_short.text
    assert eur_short.json()["type"].endswith("/insufficient-funds")
    assert [(e["leg"], e["reason"]) for e in eur_short.json()["errors"]] == [
        (2, "insufficient_funds")
    ]
    assert (await balances(db, *fx.ids()), await entry_count(db)) == before
    # the EUR credit first in the list, the EUR debit after: the order does not matter
    fits = await post_legs(
        client,
        staff,
        leg(fx.eur, fx.house_eur, "5.00"),
        leg(fx.usd, fx.house_usd, "160.00"),
        leg(fx.house_eur, fx.eur, "5.00"),
        leg(fx.house_usd, fx.usd, "10.00"),
    )
    assert fits.status_code == 201, fits.text
    assert await balances(db, fx.usd, fx.eur, fx.house_usd) == {
        fx.usd: (0, 0),
        fx.eur: (0, 0),
        fx.house_usd: (15000, 0),
    }


async def test_a_reversal_mirrors_every_leg_in_its_currency(
    client: httpx.AsyncClient, db: Database, staff: dict[str, str], fx: Exchange, app: Any
) -> None:
    _, admin = await login_as(app, "admin")
    before = await balances(db, *fx.ids())
    posted = await post_legs(
        client, staff, leg(fx.usd, fx.house_usd, "100.00"), leg(fx.house_eur, fx.eur, "92.00")
    )
    assert posted.status_code == 201, posted.text
    entry_id = posted.json()["id"]
    reversed_ = await client.post(
        f"{URL}/{entry_id}/reverse", json={"reason": "wrong rate"}, headers={**admin, **key()}
    )
    assert reversed_.status_code == 201, reversed_.text
    body = reversed_.json()
    assert (body["type"], body["currency"], body["amount"]) == ("reversal", "USD", "100.00")
    mirrored = [
        (x["from_account_id"], x["to_account_id"], x["amount"], x["currency"]) for x in body["legs"]
    ]
    assert mirrored == [
        (fx.house_usd, fx.usd, "100.00", "USD"),
        (fx.eur, fx.house_eur, "92.00", "EUR"),
    ]
    assert body["totals"] == posted.json()["totals"]
    assert await balances(db, *fx.ids()) == before
    [event] = await events_of(db, body["id"])
    assert event.type == "transaction.reversed"
    assert [(g["amount_minor"], g["currency"]) for g in event.payload["legs"]] == [
        (10000, "USD"),
        (9200, "EUR"),
    ]
    again = await client.post(
        f"{URL}/{entry_id}/reverse", json={"reason": "twice"}, headers={**admin, **key()}
    )
    assert again.status_code == 409 and again.json()["type"].endswith("/already-reversed")
    report = await verify_ledger(db)
    assert report.ok, report.problems


async def test_a_replay_returns_the_first_outcome_and_moves_nothing(
    client: httpx.AsyncClient, db: Database, staff: dict[str, str], fx: Exchange
) -> None:
    body = {"legs": [leg(fx.usd, fx.house_usd, "100.00"), leg(fx.house_eur, fx.eur, "92.00")]}
    headers = {**staff, **key()}
    first = await client.post(URL, json=body, headers=headers)
    assert first.status_code == 201, first.text
    after = (await balances(db, *fx.ids()), await entry_count(db))
    again = await client.post(URL, json=body, headers=headers)
    assert again.status_code == 201 and again.headers["Idempotency-Replayed"] == "true"
    assert again.json() == first.json()
    assert (await balances(db, *fx.ids()), await entry_count(db)) == after


async def test_a_customer_pays_in_two_currencies_from_their_own_accounts(
    client: httpx.AsyncClient, db: Database, staff: dict[str, str], fx: Exchange, app: Any
) -> None:
    """Without the house: a customer's set may mix currencies too (SCA is off here); a debit
    from the house's account stays refused (not theirs, 404)."""
    await deposit(client, staff, fx.eur, "50.00")
    usd_payee, _, _ = await funded_account(client, app, staff, "")
    eur_payee, _, _ = await funded_account(client, app, staff, "", currency="EUR")
    paid = await post_legs(
        client,
        fx.headers,
        leg(fx.usd, usd_payee["id"], "20.00"),
        leg(fx.eur, eur_payee["id"], "30.00"),
    )
    assert paid.status_code == 201, paid.text
    assert await balances(db, fx.usd, fx.eur, usd_payee["id"], eur_payee["id"]) == {
        fx.usd: (13000, 0),
        fx.eur: (2000, 0),
        usd_payee["id"]: (2000, 0),
        eur_payee["id"]: (3000, 0),
    }
    from_house = await post_legs(
        client, fx.headers, leg(fx.usd, fx.house_usd, "1.00"), leg(fx.house_eur, fx.eur, "1.00")
    )
    assert from_house.status_code == 404
    assert [(e["leg"], e["reason"]) for e in from_house.json()["errors"]] == [
        (2, "account_not_found")
    ]
