"""Deposits, withdrawals and transfers: roles, rules, amounts, PIN and the response shape."""

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from corebank.core.db import Database
from corebank.ledger import repository
from corebank.models import Account, AuditEvent, OutboxEvent, User
from tests.ledger.helpers import (
    API,
    balances,
    customer_user,
    deposit,
    entry_count,
    funded_account,
    key,
    ledger_total,
    posting_count,
)
from tests.support import login_as

BAD_AMOUNTS: list[Any] = [
    "0",
    "-1",
    "1e3",
    "1E+2",
    " 5 ",
    "\u0663",
    "NaN",
    "Infinity",
    "0.001",
    str(10**16),
    10**16,
    5,
    1.5,
    True,
    None,
    "",
    "0.00",
]


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


async def test_deposit_posts_against_settlement(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    account, _, _ = await funded_account(client, app, staff, "")
    posted = await deposit(client, staff, account["id"], "100.50")
    assert posted["type"] == "deposit" and posted["status"] == "posted"
    assert (posted["amount"], posted["currency"]) == ("100.50", "USD")
    assert posted["correlation_id"]
    legs = {p["account_id"]: p["amount"] for p in posted["postings"]}
    assert legs[account["id"]] == "100.50"
    [settlement_id] = [i for i in legs if i != account["id"]]
    assert legs[settlement_id] == "-100.50"
    assert posted["balances"] == [
        {"account_id": account["id"], "balance": "100.50", "available_balance": "100.50"}
    ]
    async with db.session() as session:
        settlement = await session.get(Account, settlement_id)
        actions = (await session.scalars(select(AuditEvent.action))).all()
        events = (await session.scalars(select(OutboxEvent.type))).all()
    assert settlement is not None and settlement.kind == "settlement"
    assert settlement.balance_minor == -10050
    assert "transaction.posted" in actions and "transaction.posted" in events
    assert await ledger_total(db) == 0
    hidden = await client.get(f"{API}/accounts/{settlement_id}", headers=staff)
    assert hidden.status_code == 404


async def test_roles_and_the_idempotency_key_requirement(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    account, headers, _ = await funded_account(client, app, staff, "20.00")
    url = f"{API}/accounts/{account['id']}"
    response = await client.post(f"{url}/deposits", json={"amount": "1.00"}, headers=headers)
    assert response.status_code == 403
    for path in (f"{url}/holds", f"{API}/holds/1/void", f"{API}/transactions/1/reverse"):
        response = await client.post(
            path, json={"amount": "1.00", "reason": "x"}, headers={**headers, **key()}
        )
        assert response.status_code == 403, path
    _, other_headers, _ = await customer_user(app)
    response = await client.post(
        f"{url}/withdrawals", json={"amount": "1.00"}, headers={**other_headers, **key()}
    )
    assert response.status_code == 404
    response = await client.post(f"{url}/withdrawals", json={"amount": "1.00"}, headers=staff)
    assert response.status_code == 201
    response = await client.post(
        f"{url}/withdrawals", json={"amount": "1.00"}, headers={**headers, **key()}
    )
    assert response.status_code == 201
    assert response.json()["balances"][0]["balance"] == "18.00"
    assert (await client.post(f"{url}/withdrawals", json={"amount": "1"})).status_code == 401
    response = await client.post(
        f"{API}/accounts/{account['id']}/withdrawals", json={"amount": "1.00"}, headers=headers
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("/idempotency-key-required")
    too_long = {"Idempotency-Key": "k" * 256}
    response = await client.post(
        f"{API}/accounts/{account['id']}/withdrawals",
        json={"amount": "1.00"},
        headers={**headers, **too_long},
    )
    assert response.status_code == 422
    assert (await balances(db, account["id"]))[account["id"]] == (1800, 0)


async def test_insufficient_funds_moves_nothing_and_the_overdraft_is_spendable(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    account, headers, _ = await funded_account(
        client, app, staff, "10.00", credit_limit_minor=5_000
    )
    other, _, _ = await funded_account(client, app, staff, "")
    before = (await entry_count(db), await balances(db, account["id"], other["id"]))
    for path, body in (
        (f"/accounts/{account['id']}/withdrawals", {"amount": "10.01"}),
        (
            "/transfers",
            {"from_account_id": account["id"], "to_account_id": other["id"], "amount": "10.01"},
        ),
    ):
        response = await client.post(API + path, json=body, headers={**headers, **key()})
        assert response.status_code == 422
        assert response.json()["type"].endswith("/insufficient-funds")
    assert (await entry_count(db), await balances(db, account["id"], other["id"])) == before
    response = await client.post(
        f"{API}/accounts/{account['id']}/withdrawals",
        json={"amount": "10.00"},
        headers={**headers, **key()},
    )
    assert response.json()["balances"][0]["available_balance"] == "0.00"
    url = f"{API}/accounts/{account['id']}"
    await client.patch(url, json={"overdraft_limit": "25.00"}, headers=staff)
    over = await client.post(
        f"{url}/withdrawals", json={"amount": "25.01"}, headers={**headers, **key()}
    )
    assert over.status_code == 422
    ok = await client.post(
        f"{url}/withdrawals", json={"amount": "25.00"}, headers={**headers, **key()}
    )
    assert ok.status_code == 201
    assert ok.json()["balances"][0]["balance"] == "-25.00"


async def test_bad_amounts_are_422_and_move_nothing(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    account, headers, _ = await funded_account(client, app, staff, "50.00")
    target, _, _ = await funded_account(client, app, staff, "")
    before = (await posting_count(db), await balances(db, account["id"], target["id"]))
    requests = [
        (path, {**body, "amount": amount}, who)
        for amount in BAD_AMOUNTS
        for path, body, who in _bad_amount_targets(account, target, staff, headers)
    ]
    for path, body, who in requests:
        response = await client.post(API + path, json=body, headers={**who, **key()})
        assert response.status_code == 422, (path, body, response.text)
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert problem["errors"], problem
    assert (await posting_count(db), await balances(db, account["id"], target["id"])) == before
    yen, _, _ = await funded_account(client, app, staff, "500", currency="JPY")
    assert (await balances(db, yen["id"]))[yen["id"]] == (500, 0)
    response = await client.post(
        f"{API}/accounts/{yen['id']}/deposits", json={"amount": "1.5"}, headers=staff
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "amount"]


def _bad_amount_targets(
    account: dict[str, Any], target: dict[str, Any], staff: dict[str, str], headers: dict
) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    return [
        (f"/accounts/{account['id']}/deposits", {}, staff),
        (f"/accounts/{account['id']}/withdrawals", {}, headers),
        (
            "/transfers",
            {"from_account_id": account["id"], "to_account_id": target["id"]},
            headers,
        ),
        (f"/accounts/{account['id']}/holds", {}, staff),
    ]


async def test_transfer_rules(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    source, headers, _ = await funded_account(client, app, staff, "30.00")
    destination, other_headers, _ = await funded_account(client, app, staff, "")
    euro, _, _ = await funded_account(client, app, staff, "", currency="EUR")

    async def send(body: dict[str, Any], who: dict[str, str] = headers) -> httpx.Response:
        return await client.post(f"{API}/transfers", json=body, headers={**who, **key()})

    by_number = await send(
        {
            "from_account_id": source["id"],
            "to_account_number": destination["number"],
            "amount": "10.00",
            "description": "rent",
        }
    )
    assert by_number.status_code == 201, by_number.text
    posted = by_number.json()
    assert posted["type"] == "transfer" and posted["description"] == "rent"
    assert [b["account_id"] for b in posted["balances"]] == [source["id"]]  # not theirs
    hidden = {p["account_id"]: p["balance_after"] for p in posted["postings"]}
    assert hidden == {source["id"]: "20.00", destination["id"]: None}
    to_euro = {"from_account_id": source["id"], "to_account_id": euro["id"], "amount": "1.00"}
    mismatch = await send(to_euro)  # a customer learns only that it cannot receive
    assert mismatch.status_code == 422
    assert mismatch.json()["type"].endswith("/cannot-receive-transfer")
    assert "EUR" not in mismatch.text and "USD" not in mismatch.text
    detailed = await send(to_euro, who=staff)  # staff keep the detailed answer
    assert detailed.status_code == 422
    assert detailed.json()["type"].endswith("/currency-mismatch")
    same = await send(
        {"from_account_id": source["id"], "to_account_id": source["id"], "amount": "1.00"}
    )
    assert same.status_code == 422
    typo = destination["number"][:-1] + str((int(destination["number"][-1]) + 1) % 10)
    bad_number = await send(
        {"from_account_id": source["id"], "to_account_number": typo, "amount": "1.00"}
    )
    assert bad_number.status_code == 422
    assert bad_number.json()["type"].endswith("/invalid-account-number")
    both = await send(
        {
            "from_account_id": source["id"],
            "to_account_id": destination["id"],
            "to_account_number": destination["number"],
            "amount": "1.00",
        }
    )
    assert both.status_code == 422
    not_owner = await send(
        {"from_account_id": source["id"], "to_account_id": destination["id"], "amount": "1.00"},
        other_headers,
    )
    assert not_owner.status_code == 404
    to_nowhere = {"from_account_id": source["id"], "to_account_id": 999999, "amount": "1.00"}
    missing = await send(to_nowhere)
    assert missing.status_code == 422
    assert missing.json()["type"].endswith("/cannot-receive-transfer")
    assert (await send(to_nowhere, who=staff)).status_code == 404
    assert (await balances(db, source["id"], destination["id"])) == {
        source["id"]: (2000, 0),
        destination["id"]: (1000, 0),
    }
    fetched = await client.get(f"{API}/transactions/{posted['id']}", headers=other_headers)
    assert fetched.status_code == 200
    assert {p["account_id"]: p["balance_after"] for p in fetched.json()["postings"]} == {
        source["id"]: None,
        destination["id"]: "10.00",
    }
    _, stranger, _ = await customer_user(app)
    response = await client.get(f"{API}/transactions/{posted['id']}", headers=stranger)
    assert response.status_code == 404


async def test_pin_is_required_once_set(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    account, headers, user = await funded_account(client, app, staff, "30.00")
    url = f"{API}/accounts/{account['id']}/withdrawals"
    assert (
        await client.post(url, json={"amount": "1.00"}, headers={**headers, **key()})
    ).is_success
    pin_hash = await app.state.container.hasher.hash("4071")
    async with db.transaction() as session:
        await session.execute(update(User).where(User.id == user.id).values(pin_hash=pin_hash))
    missing = await client.post(url, json={"amount": "1.00"}, headers={**headers, **key()})
    assert missing.status_code == 403
    assert missing.json()["type"].endswith("/transaction-pin-required")
    wrong = await client.post(
        url, json={"amount": "1.00"}, headers={**headers, **key(), "X-Transaction-PIN": "1111"}
    )
    assert wrong.status_code == 403
    right = await client.post(
        url, json={"amount": "1.00"}, headers={**headers, **key(), "X-Transaction-PIN": "4071"}
    )
    assert right.status_code == 201
    staff_needs_none = await client.post(url, json={"amount": "1.00"}, headers=staff)
    assert staff_needs_none.status_code == 201
    assert (await balances(db, account["id"]))[account["id"]] == (2700, 0)


async def test_ids_beyond_64_bits_are_422_not_500(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    """Found by the API fuzzer: an id the database cannot hold overflowed the driver (500)."""
    _, admin = await login_as(app, "admin")
    account, _, _ = await funded_account(client, app, staff, "10.00")
    before = await posting_count(db)
    big = 2**63
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("POST", f"/accounts/{big}/deposits", {"amount": "1.00"}),
        ("POST", f"/accounts/{big}/withdrawals", {"amount": "1.00"}),
        ("POST", f"/accounts/{big}/holds", {"amount": "1.00"}),
        ("POST", f"/holds/{big}/capture", {}),
        ("POST", f"/holds/{big}/void", None),
        ("POST", f"/transactions/{big}/reverse", {"reason": "mistake"}),
        ("POST", "/transfers", {"from_account_id": big, "to_account_id": 1, "amount": "1.00"}),
        (
            "POST",
            "/transfers",
            {"from_account_id": account["id"], "to_account_id": big, "amount": "1.00"},
        ),
        ("GET", f"/transactions/{big}", None),
        ("GET", f"/accounts/{big}/transactions", None),
        ("GET", f"/accounts/{big}/balance", None),
        ("GET", f"/accounts/{big}/statement", None),
        ("GET", f"/accounts/{big}/holds", None),
    ]
    for method, path, body in requests:
        response = await client.request(method, API + path, json=body, headers={**admin, **key()})
        assert response.status_code == 422, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert await posting_count(db) == before
    largest = await client.get(f"{API}/transactions/{big - 1}", headers=admin)
    assert largest.status_code == 404


@pytest.mark.parametrize("backend", ["postgres"])  # SQLite writers never wait inside a guard
async def test_deposit_waiting_on_a_deletion_sees_the_customer_deleted(
    client: httpx.AsyncClient, app: Any, db: Database, staff: dict[str, str]
) -> None:
    """PostgreSQL: a deposit blocked by the deletion guard's locks must see the deletion."""
    import asyncio

    import asyncpg

    from tests.ledger.helpers import customer_user

    _, headers, customer = await customer_user(app)
    account = await client.post(
        "/api/v1/accounts", headers=headers, json={"type": "checking", "currency": "USD"}
    )
    account_id = account.json()["id"]
    dsn = db.engine.url.render_as_string(hide_password=False).replace("+asyncpg", "")
    conn = await asyncpg.connect(dsn)
    try:
        transaction = conn.transaction()
        await transaction.start()
        await conn.execute("SELECT id FROM customers WHERE id=$1 FOR UPDATE", customer.id)
        await conn.fetch(
            "SELECT id FROM accounts WHERE customer_id=$1 ORDER BY id FOR UPDATE", customer.id
        )
        deposit = asyncio.create_task(
            client.post(
                f"/api/v1/accounts/{account_id}/deposits", headers=staff, json={"amount": "50.00"}
            )
        )
        await asyncio.sleep(0.3)
        assert not deposit.done()  # waiting on the account lock
        await conn.execute("UPDATE customers SET deleted_at = now() WHERE id=$1", customer.id)
        await transaction.commit()
        response = await deposit
    finally:
        await conn.close()
    assert response.status_code == 409
    async with db.session() as session:
        balance = await session.scalar(
            select(Account.balance_minor).where(Account.id == account_id)
        )
    assert balance == 0


async def test_apply_deltas_moves_each_account_by_its_own_delta(
    app: Any, client: httpx.AsyncClient, db: Database, staff: dict[str, str]
) -> None:
    """One UPDATE for every shape: balance and held deltas, both on one account, and an account
    whose deltas net to zero (still returned and touched, as a reversal onto itself would)."""
    accounts = [(await funded_account(client, app, staff, "10.00"))[0]["id"] for _ in range(3)]
    a, b, c = accounts
    now = datetime.now(UTC)
    async with db.transaction() as session:
        after = await repository.apply_deltas(
            session, {c: (-300, 200), a: (500, 0), b: (0, 0)}, now=now
        )
    assert after == {a: (1500, 0), b: (1000, 0), c: (700, 200)}
    assert await balances(db, a, b, c) == after
    async with db.session() as session:
        touched = (
            await session.scalars(select(Account.updated_at).where(Account.id.in_(accounts)))
        ).all()
    assert all(stamp >= now for stamp in touched)
