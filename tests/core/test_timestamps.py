"""Every date-time a client sends is a value in 1900-9999 UTC or a 422, never a 500.

The routes are found from the OpenAPI schema (every query parameter of format date-time), plus
the ledger's date-or-timestamp parameters, so a new route that takes a date is covered too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corebank.core.timestamps import EARLIEST, LATEST, bounded_utc
from tests.support import auth_headers, create_user

#: The ledger's history and statement take "a date or an ISO 8601 timestamp" as text.
MOMENT_PARAMETERS = {"from", "to", "at"}
OFFSETS = [timedelta(hours=h, minutes=m) for h in (-23, -14, 0, 14, 23) for m in (0, 59)]


def test_bounded_utc_converts_and_bounds() -> None:
    plus_two = timezone(timedelta(hours=2))
    assert bounded_utc(datetime(2026, 1, 1, 12, tzinfo=plus_two)) == datetime(
        2026, 1, 1, 10, tzinfo=UTC
    )
    assert bounded_utc(datetime(2026, 1, 1)) == datetime(2026, 1, 1, tzinfo=UTC)
    assert bounded_utc(EARLIEST) == EARLIEST and bounded_utc(LATEST) == LATEST
    for outside in (
        datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),  # overflows when converted
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14))),
        datetime(1899, 12, 31, 23, 59, tzinfo=UTC),
        datetime(1900, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),  # 1899 in UTC
    ):
        with pytest.raises(ValueError, match="between 1900-01-01 and 9999-12-31"):
            bounded_utc(outside)


def _date_routes(schema: dict[str, Any], account_id: int) -> list[tuple[str, str]]:
    """(path, parameter) for every GET query parameter that takes a date-time."""
    found = []
    for path, operations in schema["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["in"] != "query":
                continue
            formats = {
                option.get("format")
                for option in [parameter["schema"], *parameter["schema"].get("anyOf", [])]
            }
            if "date-time" in formats or parameter["name"] in MOMENT_PARAMETERS:
                concrete = path.replace("{account_id}", str(account_id))
                found.append((concrete, parameter["name"]))
    return found


@pytest.fixture
async def date_routes(app: Any, client: httpx.AsyncClient) -> tuple[dict[str, str], list]:
    admin = await auth_headers(app, await create_user(app, role="admin"))
    customer = await client.post(
        "/api/v1/customers",
        headers=admin,
        json={
            "first_name": "Date",
            "last_name": "Tester",
            "email": "dates@example.com",
            "phone": "+12025550188",
            "date_of_birth": "1980-01-01",
        },
    )
    assert customer.status_code == 201, customer.text
    account = await client.post(
        "/api/v1/accounts",
        headers=admin,
        json={"customer_id": customer.json()["id"], "type": "checking", "currency": "USD"},
    )
    assert account.status_code == 201, account.text
    schema = (await client.get("/api/v1/openapi.json")).json()
    routes = _date_routes(schema, account.json()["id"])
    names = {name for _, name in routes}
    assert {"occurred_from", "occurred_to", "created_from", "created_to", "from", "to"} <= names
    return admin, routes


def _edge_moments() -> list[str]:
    moments = []
    for base in ("0001-01-01T00:00:00", "1899-12-31T23:59:59", "1900-01-01T00:00:00"):
        moments += [base + _offset(o) for o in OFFSETS]
    for base in ("9999-12-31T23:59:59.999999", "2026-06-01T12:00:00"):
        moments += [base + _offset(o) for o in OFFSETS]
    return [*moments, "0001-01-01", "9999-12-31", "1900-01-01T00:00:00Z"]


def _offset(delta: timedelta) -> str:
    sign = "-" if delta < timedelta(0) else "+"
    minutes = abs(int(delta.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


async def _assert_no_500(
    client: httpx.AsyncClient, headers: dict[str, str], routes: list, moment: str
) -> None:
    for path, name in routes:
        response = await client.get(path, params={name: moment}, headers=headers)
        assert response.status_code in (200, 422), (path, name, moment, response.text)
        if response.status_code == 422:
            assert response.headers["content-type"].startswith("application/problem+json")


async def test_edge_dates_answer_200_or_422_everywhere(
    client: httpx.AsyncClient, date_routes: tuple[dict[str, str], list]
) -> None:
    headers, routes = date_routes
    for moment in _edge_moments():
        await _assert_no_500(client, headers, routes, moment)
    for path, name in routes:  # outside 1900-9999 once in UTC: a 422 naming the field
        for outside in ("0001-01-01T00:00:00+14:00", "1899-12-31T23:59:59Z", "0001-01-01"):
            refused = await client.get(path, params={name: outside}, headers=headers)
            assert refused.status_code == 422, (path, name, outside, refused.text)
            assert refused.json()["errors"][0]["loc"] == ["query", name]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    moment=st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.builds(
            timezone,
            st.timedeltas(
                min_value=-timedelta(hours=23, minutes=59),
                max_value=timedelta(hours=23, minutes=59),
            ),
        ),
    )
)
async def test_any_date_with_any_offset_answers_200_or_422(
    client: httpx.AsyncClient, date_routes: tuple[dict[str, str], list], moment: datetime
) -> None:
    headers, routes = date_routes
    await _assert_no_500(client, headers, routes, moment.isoformat())
