"""Strong authentication for multi-leg transactions: a challenge covers one payee, so a
customer's set that pays anyone else moves only on the PIN sent with it (403 otherwise)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corebank.models import Customer, ScaChallenge
from tests.ledger.helpers import API, balances, entry_count, funded_account, key, open_account
from tests.support import login_as

URL = f"{API}/transactions"
PIN = {"X-Transaction-PIN": "4071"}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"sca_required": True}


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


def legs(source: int, *payees: int) -> dict[str, Any]:
    return {
        "legs": [
            {"from_account_id": source, "to_account_id": payee, "amount": "10.00"}
            for payee in payees
        ]
    }


async def challenges(db: Any) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(ScaChallenge)) or 0


async def test_paying_someone_else_needs_the_pin_with_the_request(
    client: httpx.AsyncClient, app: Any, db: Any, staff: dict[str, str]
) -> None:
    payer, headers, _ = await funded_account(client, app, staff, "500.00")
    payee, _, _ = await funded_account(client, app, staff, "")
    second, _, _ = await funded_account(client, app, staff, "")
    source, ids = payer["id"], (payer["id"], payee["id"], second["id"])
    before = (await balances(db, *ids), await entry_count(db), await challenges(db))

    refused = await client.post(
        URL, json=legs(source, payee["id"], second["id"]), headers={**headers, **key()}
    )
    assert refused.status_code == 403
    problem = refused.json()
    assert problem["type"].endswith("/sca-pin-required") and "challenge" not in problem
    # nothing moved, no entry, and no challenge was created (none could cover the set)
    assert (await balances(db, *ids), await entry_count(db), await challenges(db)) == before

    pin = await client.put(
        f"{API}/users/me/pin",
        headers=headers,
        json={"pin": "4071", "current_password": "Tr0ub4dor&3-horse"},
    )
    assert pin.status_code == 204, pin.text
    paid = await client.post(
        URL, json=legs(source, payee["id"], second["id"]), headers={**headers, **key(), **PIN}
    )
    assert paid.status_code == 201, paid.text
    assert await balances(db, *ids) == {
        source: (48000, 0),
        payee["id"]: (1000, 0),
        second["id"]: (1000, 0),
    }


async def test_own_accounts_and_staff_need_no_factor(
    client: httpx.AsyncClient, app: Any, db: Any, staff: dict[str, str]
) -> None:
    payer, headers, user = await funded_account(client, app, staff, "500.00")
    other, _, _ = await funded_account(client, app, staff, "")
    async with db.session() as session:
        customer_id = await session.scalar(select(Customer.id).where(Customer.user_id == user.id))
    savings = await open_account(client, staff, customer_id=customer_id)
    own = await client.post(
        URL, json=legs(payer["id"], savings["id"], savings["id"]), headers={**headers, **key()}
    )
    assert own.status_code == 201, own.text
    by_staff = await client.post(
        URL, json=legs(payer["id"], other["id"], savings["id"]), headers=staff
    )
    assert by_staff.status_code == 201, by_staff.text
    assert await balances(db, payer["id"], savings["id"], other["id"]) == {
        payer["id"]: (46000, 0),
        savings["id"]: (3000, 0),
        other["id"]: (1000, 0),
    }
    assert await challenges(db) == 0
