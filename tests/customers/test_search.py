"""GET /customers?q=: literal, case- and accent-insensitive search in any script, by index."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from corebank.customers.repository import Filters, listing
from tests.customers.helpers import URL, bulk_insert, create, row
from tests.support import login_as

PEOPLE = [
    ("José", "Núñez", "jose.nunez@example.com"),
    ("Zoë", "Ångström", "zoe@example.com"),
    ("Иван", "Петров", "ivan@example.ru"),
    ("Ελένη", "Παπαδοπούλου", "eleni@example.gr"),
    ("太郎", "山田", "taro@example.jp"),
    ("민준", "김", "minjun@example.kr"),
    ("Percy", "100%_Sure", "percy@example.com"),
    ("Under", "Score_Man", "under_score@example.com"),
    ("Back", "Slash\\Er", "back@example.com"),
    ("Plain", "Person", "plain@example.com"),
]


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, role="staff"))[1]


@pytest.fixture
async def people(client: httpx.AsyncClient, staff: dict[str, str]) -> dict[str, int]:
    ids = {}
    for first, last, email in PEOPLE:
        ids[first] = (await create(client, staff, first_name=first, last_name=last, email=email))[
            "id"
        ]
    return ids


async def found(client: httpx.AsyncClient, staff: dict[str, str], q: str) -> set[str]:
    response = await client.get(URL, headers=staff, params={"q": q})
    assert response.status_code == 200, response.text
    return {item["first_name"] for item in response.json()["items"]}


CASES = [
    ("jose", {"José"}),
    ("JOSÉ NÚÑEZ", {"José"}),
    ("nunez", {"José"}),
    ("angstrom", {"Zoë"}),
    ("ZOE", {"Zoë"}),
    ("иван", {"Иван"}),
    ("ПЕТР", {"Иван"}),
    ("ελενη", {"Ελένη"}),
    ("Παπαδο", {"Ελένη"}),
    ("山田", {"太郎"}),
    ("太郎", {"太郎"}),
    ("민준", {"민준"}),
    ("100%", {"Percy"}),
    ("%", {"Percy"}),
    ("0%_", {"Percy"}),
    ("_", {"Under", "Percy"}),
    ("e_m", {"Under"}),
    ("\\", {"Back"}),
    ("h\\e", {"Back"}),
    ("%%", set()),
    ("p_a", set()),
    ("EXAMPLE.RU", {"Иван"}),
    ("under_score@", {"Under"}),
    ("nobody-like-this", set()),
]


async def test_search_cases(
    client: httpx.AsyncClient, staff: dict[str, str], people: dict[str, int]
) -> None:
    for q, expected in CASES:
        assert await found(client, staff, q) == expected, q


async def test_search_by_phone_in_any_format(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    await create(client, staff, first_name="Phoebe", phone="+1 202 555 0143")
    await create(client, staff, first_name="Other", phone="+44 20 7946 0958")
    for q in ("+12025550143", "(202) 555-0143", "555-0143", "2025550143", "0143"):
        assert await found(client, staff, q) == {"Phoebe"}, q
    assert await found(client, staff, "7946") == {"Other"}


async def test_short_terms_still_match(
    client: httpx.AsyncClient, staff: dict[str, str], people: dict[str, int]
) -> None:
    assert await found(client, staff, "ζ") == set()
    assert await found(client, staff, "山") == {"太郎"}
    assert await found(client, staff, "zo") == {"Zoë"}
    assert "Plain" in await found(client, staff, "pl")


async def test_query_limits(client: httpx.AsyncClient, staff: dict[str, str]) -> None:
    assert (await client.get(URL, headers=staff, params={"q": "x" * 100})).status_code == 200
    too_long = await client.get(URL, headers=staff, params={"q": "x" * 101})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["loc"] == ["query", "q"]
    control = await client.get(URL, headers=staff, params={"q": "ab\x01cd"})
    assert control.status_code == 422
    blank = await client.get(URL, headers=staff, params={"q": "   "})
    assert blank.status_code == 200


async def test_deleted_customers_are_not_found(
    client: httpx.AsyncClient, staff: dict[str, str], people: dict[str, int]
) -> None:
    assert (await client.delete(f"{URL}/{people['Иван']}", headers=staff)).status_code == 204
    assert await found(client, staff, "иван") == set()
    response = await client.get(URL, headers=staff, params={"q": "иван", "status": "deleted"})
    assert [c["first_name"] for c in response.json()["items"]] == ["Иван"]


async def test_renamed_customer_is_found_by_new_name_only(
    client: httpx.AsyncClient, staff: dict[str, str], people: dict[str, int]
) -> None:
    patched = await client.patch(
        f"{URL}/{people['Plain']}", headers=staff, json={"last_name": "Krämer"}
    )
    assert patched.status_code == 200
    assert await found(client, staff, "kramer") == {"Plain"}
    assert await found(client, staff, "person") == set()


async def _plan(connection: AsyncConnection, term: str) -> str:
    stmt = listing(Filters(term=term), dialect=connection.dialect.name)
    stmt = stmt.order_by(text("id DESC")).limit(51)
    sql = str(stmt.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    prefix = "EXPLAIN" if connection.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN"
    rows = (await connection.exec_driver_sql(f"{prefix} {sql}")).all()
    return "\n".join(str(r[-1]) for r in rows)


async def test_search_uses_the_trigram_index(app: Any, backend: str) -> None:
    await bulk_insert(app, [row(n, first_name=f"Name{n:05d}x") for n in range(2000)])
    engine = app.state.container.db.engine
    if backend == "postgres":
        async with engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.exec_driver_sql("VACUUM ANALYZE customers")
    async with engine.connect() as connection:
        if backend == "postgres":
            # 2,000 rows fit in a few pages, where a scan is cheaper: ask for the index anyway.
            await connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = await _plan(connection, "name01234x")
        if backend == "postgres":
            assert "Bitmap Index Scan on ix_customers_search_text_trgm" in plan, plan
        else:
            assert "customers_search VIRTUAL TABLE INDEX" in plan, plan
            assert "SCAN customers " not in f"{plan} ", plan
        short = await _plan(connection, "na")
        if backend == "sqlite":
            assert "customers_search" not in short
