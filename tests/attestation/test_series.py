"""The stored series: each attestation names the previous one's hash; GET /ledger/attestations
walks it (admins); the table is append-only; the schedule stores one per interval."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from corebank.attestation import service
from corebank.attestation.schedule import write_if_due
from tests.attestation.helpers import KEY, SERIES, small_ledger, third_party_verifies
from tests.support import login_as


def canonical_hash(document: dict[str, Any]) -> str:
    return hashlib.sha256(orjson.dumps(document, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def test_each_stored_attestation_links_to_the_one_before(
    client: httpx.AsyncClient, app: Any
) -> None:
    ledger = await small_ledger(client, app)
    ctx = app.state.container.attestation
    first = await service.write_attestation(ctx)
    await client.post(
        f"/api/v1/accounts/{ledger['second']['id']}/deposits",
        json={"amount": "5.00"},
        headers=ledger["staff"],
    )
    second = await service.write_attestation(ctx)
    third = await service.write_attestation(ctx)

    _, admin = await login_as(app, "admin")
    page = await client.get(SERIES, params={"limit": 2}, headers=admin)
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [item["id"] for item in items] == [third.id, second.id]
    rest = await client.get(SERIES, params={"cursor": page.json()["next_cursor"]}, headers=admin)
    assert [item["id"] for item in rest.json()["items"]] == [first.id]
    assert rest.json()["next_cursor"] is None

    series = sorted([*items, *rest.json()["items"]], key=lambda item: item["id"])  # oldest first
    jwk = (await client.get(KEY)).json()
    previous = None
    for item in series:
        document = item["document"]
        assert item["hash"] == canonical_hash(document)
        assert item["previous_hash"] == previous
        assert document["attestation"]["previous_hash"] == previous
        assert third_party_verifies(document, jwk)
        previous = item["hash"]
    assert series[1]["document"]["attestation"]["journal"]["entries"] == 5
    assert series[1]["document"]["attestation"]["currencies"]["USD"]["open_holds"] == "3.00"


async def test_the_series_is_for_admins(client: httpx.AsyncClient, app: Any) -> None:
    _, staff = await login_as(app, "staff")
    assert (await client.get(SERIES)).status_code == 401
    assert (await client.get(SERIES, headers=staff)).status_code == 403
    _, admin = await login_as(app, "admin")
    bad = await client.get(SERIES, params={"cursor": "not-a-cursor"}, headers=admin)
    assert bad.status_code == 400
    assert bad.json()["type"].endswith("/invalid-cursor")


async def test_stored_attestations_cannot_be_changed(client: httpx.AsyncClient, app: Any) -> None:
    await small_ledger(client, app)
    stored = await service.write_attestation(app.state.container.attestation)
    db = app.state.container.db
    for statement in ("UPDATE attestations SET previous_hash = 'x'", "DELETE FROM attestations"):
        with pytest.raises(DBAPIError):
            async with db.engine.begin() as connection:
                await connection.execute(text(statement))
    async with db.session() as session:
        assert await session.scalar(text("SELECT hash FROM attestations")) == stored.hash


async def test_the_schedule_stores_one_per_interval(
    client: httpx.AsyncClient, app: Any, clock: Any
) -> None:
    await small_ledger(client, app)
    ctx = app.state.container.attestation
    assert await write_if_due(ctx, interval_seconds=60) is True
    assert await write_if_due(ctx, interval_seconds=60) is False  # one is 0 s old
    clock.advance(seconds=61)
    assert await write_if_due(ctx, interval_seconds=60) is True
    _, admin = await login_as(app, "admin")
    items = (await client.get(SERIES, headers=admin)).json()["items"]
    assert len(items) == 2
    assert items[0]["previous_hash"] == items[1]["hash"]
