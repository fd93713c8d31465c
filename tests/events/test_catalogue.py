"""The event catalogue: documented with its schemas, and what the domains emit conforms to it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from corebank.events.catalogue import CATALOGUE, EventEnvelope, data_schema, validate_data
from corebank.events.delivery import envelope
from corebank.models import OutboxEvent
from tests.events.helpers import API
from tests.identity.helpers import login, register
from tests.support import login_as

DOCS = Path(__file__).parents[2] / "docs" / "events.md"

#: The types issue 8 lists; the catalogue may hold more (what the domains also emit).
ISSUE_TYPES = {
    "user.registered",
    "user.locked",
    "user.password_changed",
    "customer.created",
    "customer.updated",
    "customer.kyc_changed",
    "account.created",
    "account.frozen",
    "account.closed",
    "transaction.posted",
    "transaction.reversed",
    "hold.created",
    "hold.captured",
    "hold.voided",
    "hold.expired",
}


def test_the_catalogue_covers_the_issue() -> None:
    assert set(CATALOGUE) >= ISSUE_TYPES
    assert all(spec.version == 1 for spec in CATALOGUE.values())


def test_every_type_is_documented_with_its_schema() -> None:
    text = DOCS.read_text()
    for name, spec in CATALOGUE.items():
        section = re.search(
            rf"### `{re.escape(name)}` \(v{spec.version}\)\n.*?```json\n(.*?)```", text, re.S
        )
        assert section, f"{name} is not documented"
        assert json.loads(section.group(1)) == data_schema(name), f"{name}: schema differs"


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_what_the_domains_emit_matches_the_catalogue(
    app: Any, client: httpx.AsyncClient
) -> None:
    await register(client)
    for n in range(5):
        await login(client, password=f"Wrong-{n}!")
    _, admin = await login_as(app, "admin")

    async def call(method: str, path: str, body: Any = None, status: int = 201) -> Any:
        response = await client.request(method, f"{API}{path}", json=body, headers=admin)
        assert response.status_code == status, (path, response.text)
        return response.json() if response.content else None

    customer = await call(
        "POST",
        "/customers",
        {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada@example.com",
            "phone": "+1 650 253 0000",
            "date_of_birth": "1990-12-10",
        },
    )
    await call("PATCH", f"/customers/{customer['id']}", {"first_name": "Augusta"}, 200)
    kyc = {"status": "verified", "reason": "passport checked"}
    await call("POST", f"/customers/{customer['id']}/kyc", kyc, 200)
    opening = {"customer_id": customer["id"], "type": "checking", "currency": "USD"}
    first, second, third = [(await call("POST", "/accounts", opening))["id"] for _ in range(3)]
    await call("POST", f"/accounts/{first}/deposits", {"amount": "100.00"})
    await call("POST", f"/accounts/{first}/withdrawals", {"amount": "10.00"})
    transfer = {"from_account_id": first, "to_account_id": second, "amount": "5.00"}
    moved = await call("POST", "/transfers", transfer)
    await call("POST", f"/transactions/{moved['id']}/reverse", {"reason": "mistake"})
    split = [
        {"from_account_id": first, "to_account_id": second, "amount": "1.00"},
        {"from_account_id": first, "to_account_id": third, "amount": "2.00"},
    ]
    posted = await call("POST", "/transactions", {"legs": split, "metadata": {"order": "7"}})
    await call("POST", f"/transactions/{posted['id']}/reverse", {"reason": "mistake"})
    hold = await call("POST", f"/accounts/{first}/holds", {"amount": "20.00"})
    await call("POST", f"/holds/{hold['id']}/capture", {})
    hold = await call("POST", f"/accounts/{first}/holds", {"amount": "1.00"})
    await call("POST", f"/holds/{hold['id']}/void", None, 200)
    await call("PATCH", f"/accounts/{second}", {"status": "frozen"}, 200)
    await call("PATCH", f"/accounts/{second}", {"status": "active"}, 200)
    await call("POST", f"/accounts/{third}/close", None, 200)

    async with app.state.container.db.session() as session:
        emitted = (await session.scalars(select(OutboxEvent).order_by(OutboxEvent.id))).all()
    for event in emitted:
        assert event.type in CATALOGUE, f"{event.type} is not in the catalogue"
        validate_data(event.type, event.payload)
        EventEnvelope.model_validate_json(envelope(event))
    expected = ISSUE_TYPES - {"user.password_changed", "hold.expired", "account.closed"}
    assert {e.type for e in emitted} >= expected | {"account.closed", "account.unfrozen"}
