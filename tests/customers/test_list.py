"""GET /customers: filters, keyset paging under concurrent inserts, constant query count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from tests.customers.helpers import URL, bulk_insert, create, row
from tests.support import login_as


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, role="staff"))[1]


async def ids(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[int]:
    response = await client.get(URL, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


async def test_filters(client: httpx.AsyncClient, app: Any, staff: dict[str, str]) -> None:
    old = datetime(2020, 1, 1, tzinfo=UTC)
    await bulk_insert(app, [row(1, created_at=old), row(2, created_at=old + timedelta(days=40))])
    verified = await create(client, staff)
    pending = await create(client, staff)
    gone = await create(client, staff)
    kyc = {"status": "verified", "reason": "passport checked"}
    assert (
        await client.post(f"{URL}/{verified['id']}/kyc", headers=staff, json=kyc)
    ).status_code == 200
    assert (await client.delete(f"{URL}/{gone['id']}", headers=staff)).status_code == 204

    everyone = await ids(client, staff)
    assert everyone == sorted(everyone, reverse=True) and len(everyone) == 4
    assert gone["id"] not in everyone
    assert await ids(client, staff, kyc_status="verified") == [verified["id"]]
    assert pending["id"] in await ids(client, staff, kyc_status="pending")
    assert await ids(client, staff, status="deleted") == [gone["id"]]
    window = await ids(
        client, staff, created_from="2019-12-31T00:00:00Z", created_to="2020-01-02T00:00:00"
    )
    assert len(window) == 1
    since = await ids(client, staff, created_from="2020-02-01T00:00:00+00:00")
    assert len(since) == 3
    assert (await client.get(URL, headers=staff, params={"kyc_status": "maybe"})).status_code == 422
    assert (await client.get(URL, headers=staff, params={"status": "gone"})).status_code == 422
    edge = {"created_from": "0001-01-01T00:00:00+05:00"}
    assert (await client.get(URL, headers=staff, params=edge)).status_code == 422


async def test_customers_cannot_list(client: httpx.AsyncClient, app: Any) -> None:
    _, customer = await login_as(app)
    assert (await client.get(URL, headers=customer)).status_code == 403
    assert (await client.get(URL)).status_code == 401


async def test_paging_1000_with_inserts_meanwhile(
    client: httpx.AsyncClient, app: Any, staff: dict[str, str]
) -> None:
    await bulk_insert(app, [row(n) for n in range(1000)])
    seen: list[int] = []
    cursor: str | None = None
    extra = 10_000
    for _ in range(100):
        params: dict[str, Any] = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        response = await client.get(URL, headers=staff, params=params)
        assert response.status_code == 200
        page = response.json()
        seen.extend(item["id"] for item in page["items"])
        await bulk_insert(app, [row(extra + n) for n in range(3)])  # others keep inserting
        extra += 3
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 1000
    assert seen == sorted(seen, reverse=True)
    assert set(seen) == set(range(1, 1001))


async def test_bad_cursor_is_400(client: httpx.AsyncClient, staff: dict[str, str]) -> None:
    response = await client.get(URL, headers=staff, params={"cursor": "garbage"})
    assert response.status_code == 400


async def test_a_page_costs_the_same_queries_for_5_or_50_rows(
    client: httpx.AsyncClient, app: Any, staff: dict[str, str]
) -> None:
    await bulk_insert(app, [row(n) for n in range(60)])
    statements: list[str] = []

    def count(*args: Any) -> None:
        if not args[2].startswith("BEGIN"):  # SQLite's explicit BEGIN is not a query
            statements.append(args[2])

    engine = app.state.container.db.engine.sync_engine
    await client.get(URL, headers=staff, params={"limit": 1})  # the session's check is now kept
    event.listen(engine, "before_cursor_execute", count)
    try:
        counts = {}
        for limit in (5, 50):
            statements.clear()
            response = await client.get(URL, headers=staff, params={"limit": limit, "q": "bulk"})
            assert len(response.json()["items"]) == limit
            counts[limit] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert counts[5] == counts[50]
    assert counts[50] <= 2, statements  # the page, and maybe the session's touch
