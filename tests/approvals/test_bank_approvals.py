"""The bank test with maker-checker: concurrent transfers over a few hot accounts, some above
the approval threshold, then every pending request approved and rejected at the same moment by
two checkers (on two app instances on PostgreSQL), a duplicate approval among them.

Afterwards: each request was decided exactly once, each approval is exactly one entry, every
hold is gone, money is conserved, no balance is below its limit, and verify finds nothing."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corebank.core.db import Database
from corebank.ledger.verify import verify_ledger
from corebank.models import ApprovalRequest, Hold
from tests.ledger.helpers import API, balances, entry_count, funded_account, key
from tests.ledger.test_bank import second_client
from tests.support import login_as

__all__ = ["second_client"]  # the fixture: a second app instance on PostgreSQL

TRANSFERS = 60
HOT_ACCOUNTS = 4


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"approval_threshold": "USD:20.00"}


async def test_concurrent_requests_and_decisions_move_each_approved_amount_once(
    app: Any,
    client: httpx.AsyncClient,
    second_client: httpx.AsyncClient | None,
    db: Database,
) -> None:
    _, staff = await login_as(app, "staff")
    checkers = [(await login_as(app, "staff"))[1], (await login_as(app, "admin"))[1]]
    hot = [(await funded_account(client, app, staff, "100.00"))[0] for _ in range(HOT_ACCOUNTS)]
    ids = [account["id"] for account in hot]
    before = await balances(db, *ids)
    entries = await entry_count(db)
    clients = [client] + ([second_client] if second_client is not None else [])
    rng = random.Random(20261207)

    def transfer(n: int) -> Any:
        source, target = rng.sample(ids, 2)
        amount = f"{rng.randint(5, 45)}.{rng.randint(0, 99):02d}"
        body = {"from_account_id": source, "to_account_id": target, "amount": amount}
        return clients[n % len(clients)].post(
            f"{API}/transfers", json=body, headers={**staff, **key()}
        )

    made = await asyncio.gather(*(transfer(n) for n in range(TRANSFERS)))
    assert {r.status_code for r in made} <= {201, 202, 422}, [r.text for r in made]
    posted = [r.json() for r in made if r.status_code == 201]
    pending = [r.json() for r in made if r.status_code == 202]
    assert pending and posted, (len(pending), len(posted))

    def decide(n: int, approval_id: int, decision: str) -> Any:
        body = {"reason": "bank test"} if decision == "reject" else None
        return clients[n % len(clients)].post(
            f"{API}/approvals/{approval_id}/{decision}", json=body, headers=checkers[n % 2]
        )

    decisions = [
        decide(n + offset, request["id"], decision)
        for n, request in enumerate(pending)
        for offset, decision in enumerate(("approve", "reject", "approve"))
    ]
    answers = await asyncio.gather(*decisions)

    for n in range(len(pending)):
        trio = answers[3 * n : 3 * n + 3]
        assert sorted(r.status_code for r in trio) == [200, 409, 409], [r.text for r in trio]
        assert all(
            r.json()["type"].endswith("/approval-not-pending") for r in trio if r.status_code == 409
        )
    approved = [
        r.json() for r in answers if r.status_code == 200 and r.json()["status"] == "approved"
    ]
    async with db.session() as session:
        statuses = dict(
            (
                await session.execute(
                    select(ApprovalRequest.status, func.count()).group_by(ApprovalRequest.status)
                )
            ).all()
        )
        open_holds = await session.scalar(
            select(func.count()).select_from(Hold).where(Hold.status == "open")
        )
    assert statuses.get("pending", 0) == 0 and sum(statuses.values()) == len(pending)
    assert statuses.get("approved", 0) == len(approved)
    assert open_holds == 0
    assert await entry_count(db) == entries + len(posted) + len(approved)
    after = await balances(db, *ids)
    assert sum(b for b, _ in after.values()) == sum(b for b, _ in before.values())
    assert all(balance >= 0 and held == 0 for balance, held in after.values()), after
    report = await verify_ledger(db)
    assert report.ok, report.problems
