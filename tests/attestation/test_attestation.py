"""GET /ledger/attestation: signed with Ed25519, verifiable with the served JWK; a broken
invariant is named; admins only unless ATTESTATION_PUBLIC."""

from __future__ import annotations

import copy
from typing import Any

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from corebank.core.migrate import alembic_config
from corebank.models import LedgerCheckpoint
from tests.attestation.helpers import ATTESTATION, KEY, small_ledger, third_party_verifies
from tests.ledger.helpers import API, funded_account, open_account, tamper
from tests.support import login_as


async def test_attestation_is_signed_and_states_the_books(
    client: httpx.AsyncClient, app: Any
) -> None:
    await small_ledger(client, app)
    _, admin = await login_as(app, "admin")
    response = await client.get(ATTESTATION, headers=admin)
    assert response.status_code == 200, response.text
    document = response.json()
    key = await client.get(KEY)
    assert key.status_code == 200
    assert "max-age" in key.headers["cache-control"]
    jwk = key.json()
    assert jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519" and jwk["alg"] == "EdDSA"
    assert document["key_id"] == jwk["kid"] and document["algorithm"] == "EdDSA"
    assert third_party_verifies(document, jwk)

    body = document["attestation"]
    assert body["version"] == 1 and body["ok"] is True
    assert (
        body["schema_version"] == ScriptDirectory.from_config(alembic_config()).get_current_head()
    )
    assert [check["name"] for check in body["invariants"]] == [
        "entries_balanced",
        "currencies_balanced",
        "balance_chains",
        "stored_balances",
        "closed_accounts_empty",
        "within_overdraft",
    ]
    assert all(check["ok"] and check["problems"] == 0 for check in body["invariants"])
    # USD: 100.00 + 20.50 deposited (the settlement account is -120.50), 3.00 held
    assert body["currencies"]["USD"] == {
        "balances": "0.00",
        "postings": "0.00",
        "open_holds": "3.00",
    }
    assert body["currencies"]["JPY"] == {"balances": "0", "postings": "0", "open_holds": "0"}
    assert body["journal"] == {"entries": 4, "last_entry_id": 4, "postings": 8}
    assert body["audit"]["sealed_length"] + body["audit"]["pending"] > 0
    assert len(body["audit"]["head_hash"]) == 64
    assert body["checkpoint"]["mode"] == "full"
    assert body["previous_hash"] is None


@pytest.mark.parametrize(
    "change",
    [
        lambda b: b["currencies"]["USD"].update(open_holds="0.00"),
        lambda b: b.update(ok=False),
        lambda b: b["journal"].update(entries=5),
        lambda b: b.update(issued_at=b["issued_at"].replace("+00:00", "Z")),
    ],
)
async def test_any_change_to_the_attestation_fails_verification(
    client: httpx.AsyncClient, app: Any, change: Any
) -> None:
    await small_ledger(client, app)
    _, admin = await login_as(app, "admin")
    document = (await client.get(ATTESTATION, headers=admin)).json()
    jwk = (await client.get(KEY)).json()
    altered = copy.deepcopy(document)
    change(altered["attestation"])
    assert altered != document
    assert third_party_verifies(document, jwk)
    assert not third_party_verifies(altered, jwk)


async def test_a_corrupted_balance_fails_its_check_by_name(
    client: httpx.AsyncClient, app: Any
) -> None:
    ledger = await small_ledger(client, app)
    account_id = ledger["second"]["id"]
    await tamper(
        app.state.container.db,
        "accounts",
        f"UPDATE accounts SET balance_minor = balance_minor + 1 WHERE id = {account_id}",
    )
    _, admin = await login_as(app, "admin")
    document = (await client.get(ATTESTATION, headers=admin)).json()
    body = document["attestation"]
    assert body["ok"] is False
    failed = {check["name"]: check for check in body["invariants"] if not check["ok"]}
    assert list(failed) == ["stored_balances"]
    assert failed["stored_balances"]["problems"] == 1
    assert failed["stored_balances"]["examples"] == [
        f"account {account_id}: stored balance 2776, postings sum 2775"
    ]
    assert body["currencies"]["USD"]["balances"] == "0.01"
    assert third_party_verifies(document, (await client.get(KEY)).json())


async def test_only_admins_may_read_it(client: httpx.AsyncClient, app: Any) -> None:
    _, staff = await login_as(app, "staff")
    _, customer = await login_as(app, "customer")
    assert (await client.get(ATTESTATION)).status_code == 401
    for headers in (staff, customer):
        refused = await client.get(ATTESTATION, headers=headers)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["type"].endswith("/insufficient-role")
    assert (await client.get(KEY)).status_code == 200  # the key is always public


class TestPublic:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"attestation_public": True}

    async def test_anyone_may_read_it_but_a_full_check_needs_an_admin(
        self, client: httpx.AsyncClient, app: Any
    ) -> None:
        await small_ledger(client, app)
        response = await client.get(ATTESTATION)
        assert response.status_code == 200
        assert response.json()["attestation"]["ok"] is True
        assert (await client.get(ATTESTATION, params={"full": "true"})).status_code == 401
        _, staff = await login_as(app, "staff")
        refused = await client.get(ATTESTATION, params={"full": "true"}, headers=staff)
        assert refused.status_code == 403
        _, admin = await login_as(app, "admin")
        full = await client.get(ATTESTATION, params={"full": "true"}, headers=admin)
        assert full.status_code == 200
        assert full.json()["attestation"]["checkpoint"]["mode"] == "full"

    async def test_an_anonymous_read_writes_nothing(
        self, client: httpx.AsyncClient, app: Any
    ) -> None:
        """Only an admin's read moves the checkpoint: a public one is a read and nothing else."""
        await small_ledger(client, app)

        async def checkpoints() -> int:
            async with app.state.container.db.session() as session:
                return await session.scalar(select(func.count()).select_from(LedgerCheckpoint)) or 0

        assert (await client.get(ATTESTATION)).status_code == 200
        assert await checkpoints() == 0
        _, admin = await login_as(app, "admin")
        assert (await client.get(ATTESTATION, headers=admin)).status_code == 200
        assert await checkpoints() == 1


async def test_a_set_in_two_currencies_keeps_every_check_green(
    client: httpx.AsyncClient, app: Any
) -> None:
    """An exchange posts USD and EUR legs in one entry: each currency balances on its own,
    which is what the attestation's entry check (the same as `ledger verify`'s) asks."""
    _, staff = await login_as(app, "staff")
    usd, _, _ = await funded_account(client, app, staff, "50.00")
    eur, _, _ = await funded_account(client, app, staff, "40.00", currency="EUR")
    usd_house = await open_account(client, staff, customer_id=eur["customer_id"])
    eur_house = await open_account(client, staff, customer_id=usd["customer_id"], currency="EUR")
    legs = [
        {"from_account_id": usd["id"], "to_account_id": usd_house["id"], "amount": "10.00"},
        {"from_account_id": eur["id"], "to_account_id": eur_house["id"], "amount": "9.20"},
    ]
    posted = await client.post(f"{API}/transactions", json={"legs": legs}, headers=staff)
    assert posted.status_code == 201, posted.text
    _, admin = await login_as(app, "admin")

    body = (await client.get(ATTESTATION, headers=admin)).json()["attestation"]

    assert body["ok"] is True, body["invariants"]
    assert {"EUR", "USD"} <= set(body["currencies"])
