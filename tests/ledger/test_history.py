"""History: balance as of t equals the replay of postings; statement opening + lines = closing."""

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.main import create_app
from tests.ledger.helpers import API, funded_account, key
from tests.support import login_as

START = datetime(2026, 3, 1, 23, 49, tzinfo=UTC)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def app(settings: Any, db: Database, clock: FrozenClock) -> Any:
    return create_app(settings, database=db, clock=clock)


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


@pytest.fixture
async def history(
    app: Any, client: httpx.AsyncClient, staff: dict[str, str], clock: FrozenClock
) -> dict[str, Any]:
    """An account with movements every 5 minutes from 23:54 on Mar 1 to 00:14 on Mar 2."""
    account, headers, _ = await funded_account(client, app, staff, "")
    other, _, _ = await funded_account(client, app, staff, "")
    url = f"{API}/accounts/{account['id']}"
    steps = [
        ("deposits", {"amount": "100.00"}),
        ("withdrawals", {"amount": "30.00"}),
        ("transfer", {"amount": "20.25"}),
        ("deposits", {"amount": "5.00", "description": "=HYPERLINK(evil)"}),
        ("withdrawals", {"amount": "1.10"}),
    ]
    ids = []
    for kind, body in steps:
        clock.advance(minutes=5)
        if kind == "transfer":
            response = await client.post(
                f"{API}/transfers",
                json={**body, "from_account_id": account["id"], "to_account_id": other["id"]},
                headers={**headers, **key()},
            )
        else:
            response = await client.post(f"{url}/{kind}", json=body, headers=staff)
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    clock.advance(minutes=1)
    return {"account": account, "headers": headers, "url": url, "ids": ids}


async def all_postings(client: httpx.AsyncClient, url: str, headers: dict) -> list[dict]:
    items, cursor = [], None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(f"{url}/transactions", params=params, headers=headers)).json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_transactions_newest_first_with_balance_after_and_filters(
    client: httpx.AsyncClient, history: dict[str, Any]
) -> None:
    items = await all_postings(client, history["url"], history["headers"])
    assert [i["id"] for i in items] == history["ids"][::-1]
    assert [i["amount"] for i in items] == ["-1.10", "5.00", "-20.25", "-30.00", "100.00"]
    assert [i["balance_after"] for i in items] == ["53.65", "54.75", "49.75", "70.00", "100.00"]
    assert [i["type"] for i in items] == [
        "withdrawal",
        "deposit",
        "transfer",
        "withdrawal",
        "deposit",
    ]

    async def ids(**params: Any) -> list[int]:
        response = await client.get(
            f"{history['url']}/transactions", params=params, headers=history["headers"]
        )
        assert response.status_code == 200, response.text
        return [i["id"] for i in response.json()["items"]]

    d1, w1, t1, d2, w2 = history["ids"]
    assert await ids(type="deposit") == [d2, d1]
    assert await ids(min_amount="20.25") == [t1, w1, d1]
    assert await ids(min_amount="5.00", max_amount="30.00") == [d2, t1, w1]
    assert await ids(**{"from": "2026-03-02"}) == [w2, d2, t1]
    assert await ids(to="2026-03-01") == [w1, d1]
    assert await ids(**{"from": "2026-03-02T00:04:00Z", "to": "2026-03-02T00:09:00+00:00"}) == [
        d2,
        t1,
    ]
    for bad in ({"min_amount": "1.001"}, {"from": "yesterday"}, {"type": "gift"}):
        response = await client.get(
            f"{history['url']}/transactions", params=bad, headers=history["headers"]
        )
        assert response.status_code == 422, bad


async def test_balance_as_of_equals_replay_of_postings(
    client: httpx.AsyncClient, history: dict[str, Any]
) -> None:
    items = await all_postings(client, history["url"], history["headers"])
    postings = [(datetime.fromisoformat(i["created_at"]), Decimal(i["amount"])) for i in items]
    rng = random.Random(5)
    moments = [START - timedelta(days=1), START + timedelta(hours=1)]
    moments += [at for at, _ in postings]
    moments += [START + timedelta(seconds=rng.randrange(0, 40 * 60)) for _ in range(10)]
    for moment in moments:
        expected = sum((amount for at, amount in postings if at <= moment), Decimal("0.00"))
        response = await client.get(
            f"{history['url']}/balance",
            params={"at": moment.isoformat()},
            headers=history["headers"],
        )
        assert response.status_code == 200
        assert Decimal(response.json()["balance"]) == expected, moment
    now = await client.get(f"{history['url']}/balance", headers=history["headers"])
    assert now.json()["balance"] == "53.65"
    end_of_day = await client.get(
        f"{history['url']}/balance", params={"at": "2026-03-01"}, headers=history["headers"]
    )
    assert end_of_day.json()["balance"] == "70.00"
    for extreme in ("9999-12-31", "9999-12-31T23:59:59.999999", "0001-01-01", "2026-02-30"):
        for path in ("balance", "statement", "transactions"):
            name = "at" if path == "balance" else "to"
            response = await client.get(
                f"{history['url']}/{path}", params={name: extreme}, headers=history["headers"]
            )
            assert response.status_code in (200, 422), (path, extreme, response.text)


async def test_statement_opening_plus_lines_is_closing_in_json_and_csv(
    client: httpx.AsyncClient, history: dict[str, Any]
) -> None:
    for params in (
        {"from": "2026-03-02", "to": "2026-03-02"},
        {"from": "2026-03-01", "to": "2026-03-01"},
        {"from": "2026-03-01T23:58:00Z", "to": "2026-03-02T00:10:00Z"},
        {},
    ):
        response = await client.get(
            f"{history['url']}/statement", params=params, headers=history["headers"]
        )
        assert response.status_code == 200, response.text
        statement = response.json()
        opening, closing = (
            Decimal(statement["opening_balance"]),
            Decimal(statement["closing_balance"]),
        )
        lines = [Decimal(line["amount"]) for line in statement["lines"]]
        assert opening + sum(lines) == closing, params
        end = datetime.fromisoformat(statement["period_end"]) - timedelta(microseconds=1)
        at_end = await client.get(
            f"{history['url']}/balance", params={"at": end.isoformat()}, headers=history["headers"]
        )
        assert Decimal(at_end.json()["balance"]) == closing
    day_two = await client.get(
        f"{history['url']}/statement",
        params={"from": "2026-03-02", "to": "2026-03-02"},
        headers=history["headers"],
    )
    body = day_two.json()
    assert (body["opening_balance"], body["closing_balance"]) == ("70.00", "53.65")
    assert len(body["lines"]) == 3
    assert (body["total_credits"], body["total_debits"]) == ("5.00", "-21.35")
    backwards = await client.get(
        f"{history['url']}/statement",
        params={"from": "2026-03-02", "to": "2026-03-01"},
        headers=history["headers"],
    )
    assert backwards.status_code == 422
    response = await client.get(
        f"{history['url']}/statement",
        params={"from": "2026-03-01", "to": "2026-03-02", "format": "csv"},
        headers=history["headers"],
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["date", "transaction_id", "type", "description", "amount", "balance"]
    assert rows[1][2] == "opening_balance" and rows[1][5] == "0.00"
    assert rows[-1][2] == "closing_balance" and rows[-1][5] == "53.65"
    lines = rows[2:-1]
    assert len(lines) == 5
    assert sum(Decimal(r[4]) for r in lines) == Decimal("53.65")
    for row in rows[1:]:
        datetime.fromisoformat(row[0])
    assert lines[3][3] == "'=HYPERLINK(evil)"  # no formula injection


async def test_reversed_transactions_show_their_status(
    app: Any, client: httpx.AsyncClient, history: dict[str, Any]
) -> None:
    _, admin = await login_as(app, "admin")
    deposit_id = history["ids"][3]
    response = await client.post(
        f"{API}/transactions/{deposit_id}/reverse", json={"reason": "duplicate"}, headers=admin
    )
    assert response.status_code == 201
    items = await all_postings(client, history["url"], history["headers"])
    assert items[0]["type"] == "reversal" and items[0]["amount"] == "-5.00"
    assert {i["id"]: i["status"] for i in items}[deposit_id] == "reversed"
    original = await client.get(f"{API}/transactions/{deposit_id}", headers=history["headers"])
    assert original.json()["reversed_by_transaction_id"] == response.json()["id"]
