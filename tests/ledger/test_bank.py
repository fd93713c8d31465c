"""The bank test: hundreds of concurrent transfers, withdrawals and multi-leg transactions
across a few hot accounts, some of the multi-leg ones in two currencies (staff's: a USD part
and an EUR leg between two EUR accounts, as a currency exchange).

On PostgreSQL the requests are split over two app instances, each with its own engine and
pool, against one database. Afterwards: money is conserved, no balance is below its limit,
every 201 is exactly one entry, every refusal moved nothing, and verify finds no violation.
"""

import asyncio
import random
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corebank.config import Settings
from corebank.core.db import Database
from corebank.ledger.verify import verify_ledger
from corebank.main import create_app
from corebank.models import AuditEvent, JournalEntry, OutboxEvent, Posting
from tests.ledger.helpers import API, balances, entry_count, funded_account, key, ledger_total
from tests.support import login_as

OPERATIONS = 210
HOT_ACCOUNTS = 4


@pytest.fixture
async def second_client(settings: Settings, backend: str) -> AsyncIterator[httpx.AsyncClient]:
    """A second app instance with its own Database (PostgreSQL); SQLite shares the first."""
    if backend != "postgres":
        yield None  # type: ignore[misc]
        return
    db = Database(settings)
    other = create_app(settings, database=db)
    transport = httpx.ASGITransport(app=other, client=("203.0.113.8", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await db.dispose()


async def test_concurrent_transfers_and_withdrawals_conserve_money(
    app: Any,
    client: httpx.AsyncClient,
    second_client: httpx.AsyncClient | None,
    db: Database,
) -> None:
    _, staff = await login_as(app, "staff")
    hot: list[dict[str, Any]] = []
    owners: list[dict[str, str]] = []
    for index in range(HOT_ACCOUNTS):
        account, headers, _ = await funded_account(
            client, app, staff, "100.00", credit_limit_minor=5_000
        )
        if index % 2:
            limit = await client.patch(
                f"{API}/accounts/{account['id']}", json={"overdraft_limit": "50.00"}, headers=staff
            )
            assert limit.status_code == 200
        hot.append(account)
        owners.append(headers)
    ids = [a["id"] for a in hot]
    euros = [(await funded_account(client, app, staff, "100.00", "EUR"))[0]["id"] for _ in "ab"]
    limits = {a["id"]: (5_000 if i % 2 else 0) for i, a in enumerate(hot)} | dict.fromkeys(euros, 0)
    before_balances = await balances(db, *ids, *euros)
    before_entries = await entry_count(db)
    before_events = await _posted_events(db)
    rng = random.Random(20261123)
    clients = [client] + ([second_client] if second_client is not None else [])

    def request(n: int) -> Any:
        source = rng.randrange(HOT_ACCOUNTS)
        amount = f"{rng.randint(100, 4_000) // 100}.{rng.randint(0, 99):02d}"
        as_owner = rng.random() < 0.6
        headers = {**(owners[source] if as_owner else staff), **key()}
        http = clients[n % len(clients)]
        kind = rng.random()
        if kind < 0.2:
            body = _multi_leg(rng, ids, source, as_owner, euros=None if as_owner else euros)
            return http.post(f"{API}/transactions", json=body, headers=headers)
        if kind < 0.75:
            target = rng.choice([i for i in range(HOT_ACCOUNTS) if i != source])
            body = {"from_account_id": ids[source], "to_account_id": ids[target], "amount": amount}
            return http.post(f"{API}/transfers", json=body, headers=headers)
        return http.post(
            f"{API}/accounts/{ids[source]}/withdrawals", json={"amount": amount}, headers=headers
        )

    responses = await asyncio.gather(*(request(n) for n in range(OPERATIONS)))

    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 422}, sorted(set(statuses))
    created = [r.json() for r in responses if r.status_code == 201]
    refused = [r.json() for r in responses if r.status_code == 422]
    assert all(p["type"].endswith("/insufficient-funds") for p in refused)
    assert all(e["reason"] == "insufficient_funds" for p in refused for e in p.get("errors", []))
    assert len(created) > OPERATIONS // 4 and refused, (len(created), len(refused))
    assert any(c["type"] == "multi_leg" for c in created)  # how many depends on the race
    assert any(len(c.get("totals") or []) == 2 for c in created)  # in two currencies

    entry_ids = [c["id"] for c in created]
    assert len(set(entry_ids)) == len(entry_ids)
    assert await entry_count(db) == before_entries + len(created)
    after_events = await _posted_events(db)
    assert [a - b for a, b in zip(after_events, before_events, strict=True)] == [len(created)] * 2
    expected = {i: before_balances[i][0] for i in [*ids, *euros]}
    async with db.session() as session:
        stored = {entry_id: legs for entry_id, legs in await _legs(session, entry_ids)}
    for body in created:
        legs: dict[int, int] = {}
        for posting in body["postings"]:
            amount = int(posting["amount"].replace(".", ""))
            legs[posting["account_id"]] = legs.get(posting["account_id"], 0) + amount
        assert stored[body["id"]] == legs
        for account_id, amount in stored[body["id"]].items():
            if account_id in expected:
                expected[account_id] += amount
    after = await balances(db, *ids, *euros)
    assert {i: after[i][0] for i in [*ids, *euros]} == expected  # refusals moved nothing
    for account_id in [*ids, *euros]:
        assert after[account_id][0] >= -limits[account_id], account_id
    withdrawn = sum(int(c["amount"].replace(".", "")) for c in created if c["type"] == "withdrawal")
    assert sum(after[i][0] for i in ids) == sum(before_balances[i][0] for i in ids) - withdrawn
    assert sum(after[i][0] for i in euros) == sum(before_balances[i][0] for i in euros)
    assert await ledger_total(db) == 0
    report = await verify_ledger(db)
    assert report.ok, report.problems


async def _posted_events(db: Database) -> tuple[int, int]:
    async with db.session() as session:
        events = await session.scalar(
            select(func.count()).where(OutboxEvent.type == "transaction.posted")
        )
        audits = await session.scalar(
            select(func.count()).where(AuditEvent.action == "transaction.posted")
        )
    return events or 0, audits or 0


async def _legs(session: Any, entry_ids: list[int]) -> list[tuple[int, dict[int, int]]]:
    rows = (
        await session.execute(
            select(JournalEntry.id, Posting.account_id, Posting.amount_minor)
            .join(Posting, Posting.entry_id == JournalEntry.id)
            .where(JournalEntry.id.in_(entry_ids))
        )
    ).all()
    grouped: dict[int, dict[int, int]] = {}
    for entry_id, account_id, amount in rows:
        per_account = grouped.setdefault(entry_id, {})
        per_account[account_id] = per_account.get(account_id, 0) + amount
    return list(grouped.items())


def _multi_leg(
    rng: random.Random, ids: list[int], source: int, as_owner: bool, *, euros: list[int] | None
) -> dict[str, Any]:
    """Two or three legs: the owner's all from their account (a split payment); staff's from
    any hot account (chains such as A to B, B to C, where a credit may fund a later debit),
    and half the time an EUR leg between the two `euros` accounts, somewhere among them."""
    legs = []
    for _ in range(rng.randint(2, 3)):
        start = source if as_owner else rng.randrange(HOT_ACCOUNTS)
        end = rng.choice([i for i in range(HOT_ACCOUNTS) if i != start])
        amount = f"{rng.randint(100, 3_000) // 100}.{rng.randint(0, 99):02d}"
        legs.append({"from_account_id": ids[start], "to_account_id": ids[end], "amount": amount})
    if euros is not None and rng.random() < 0.5:
        there, back = rng.sample(euros, 2)
        amount = f"{rng.randint(1, 30)}.{rng.randint(0, 99):02d}"
        exchange = {"from_account_id": there, "to_account_id": back, "amount": amount}
        legs.insert(rng.randint(0, len(legs)), exchange)
    return {"legs": legs, "metadata": {"bank_test": "yes"}}
