"""Creating customers: validation to canonical forms, 422s, 409 duplicates, roles, linking."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from corebank.core.db import Database
from corebank.models import AuditEvent, Customer, OutboxEvent
from tests.customers.helpers import URL, create, payload, problem_locs
from tests.support import login_as


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, role="staff"))[1]


async def test_create_returns_canonical_record(
    client: httpx.AsyncClient, staff: dict[str, str], db: Database
) -> None:
    body = payload(
        first_name="  José ",
        last_name="A\u0301lvarez",
        email="Jose.Alvarez@EXAMPLE.com",
        phone="(202) 555-0143",
        national_id="AB-123456789",
        credit_limit="2500.5",
        address={"line1": "1 Main St", "city": "Springfield", "country": "us"},
    )
    response = await client.post(URL, headers=staff, json=body)
    assert response.status_code == 201, response.text
    out = response.json()
    assert out["first_name"] == "José"
    assert out["last_name"] == "\u00c1lvarez"
    assert out["email"] == "jose.alvarez@example.com"
    assert out["phone"] == "+12025550143"
    assert out["credit_limit"] == "2500.50" and out["currency"] == "USD"
    assert out["national_id_masked"] == "****6789"
    assert "national_id" not in out and "AB-123456789" not in response.text
    assert out["address"] == {
        "line1": "1 Main St",
        "line2": None,
        "city": "Springfield",
        "postal_code": None,
        "country": "US",
    }
    assert out["kyc_status"] == "pending" and out["status"] == "active"
    async with db.session() as session:
        stored = await session.get(Customer, out["id"])
        assert stored is not None
        assert stored.national_id == "AB-123456789"
        assert stored.credit_limit_minor == 250050
        audit = (await session.scalars(select(AuditEvent))).all()
        events = (await session.scalars(select(OutboxEvent))).all()
    created = [a for a in audit if a.action == "customer.created"]
    assert len(created) == 1 and created[0].after["national_id"] == "****6789"
    assert "AB-123456789" not in str(created[0].after)
    assert [e.type for e in events] == ["customer.created"]


async def test_names_are_trimmed_and_nfc_normalized(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    out = await create(client, staff, first_name="  Zoe\u0308  ", last_name="O'Brien-Ünal")
    assert out["first_name"] == "Zo\u00eb"
    assert out["last_name"] == "O'Brien-Ünal"


async def test_defaults(client: httpx.AsyncClient, staff: dict[str, str]) -> None:
    body = payload()
    del body["date_of_birth"]
    response = await client.post(URL, headers=staff, json=body)
    assert response.status_code == 201
    out = response.json()
    assert out["credit_limit"] == "0.00"
    assert out["date_of_birth"] is None and out["address"] is None
    assert out["national_id_masked"] is None and out["user_id"] is None


def _years_ago(years: int, days: int = 0) -> str:
    today = date.today()
    return (today.replace(year=today.year - years) + timedelta(days=days)).isoformat()


INVALID = [
    ({"role": "admin"}, ["body", "role"]),
    ({"balance": "10.00"}, ["body", "balance"]),
    ({"phone": "12345"}, ["body", "phone"]),
    ({"phone": "555-0143"}, ["body", "phone"]),
    ({"phone": "not a phone"}, ["body", "phone"]),
    ({"phone": "+1 650 253 0000 ext. 12"}, ["body", "phone"]),
    ({"email": "not-an-email"}, ["body", "email"]),
    ({"email": "two@@example.com"}, ["body", "email"]),
    ({"first_name": "Ze\u200bro"}, ["body", "first_name"]),
    ({"last_name": "Joi\u200dner"}, ["body", "last_name"]),
    ({"last_name": "Bell\u0007"}, ["body", "last_name"]),
    ({"first_name": "   "}, ["body", "first_name"]),
    ({"first_name": "x" * 101}, ["body", "first_name"]),
    ({"date_of_birth": _years_ago(17, days=1)}, ["body", "date_of_birth"]),
    ({"date_of_birth": _years_ago(-1)}, ["body", "date_of_birth"]),
    ({"date_of_birth": date.today().isoformat()}, ["body", "date_of_birth"]),
    ({"credit_limit": "10.001"}, ["body", "credit_limit"]),
    ({"credit_limit": "-1.00"}, ["body", "credit_limit"]),
    ({"credit_limit": "1000000.01"}, ["body", "credit_limit"]),
    ({"credit_limit": "1e3"}, ["body", "credit_limit"]),
    ({"credit_limit": 100}, ["body", "credit_limit"]),
    ({"national_id": "1234"}, ["body", "national_id"]),
    ({"address": {"line1": "x", "city": "y", "country": "XX"}}, ["body", "address", "country"]),
    (
        {"address": {"line1": "x", "city": "y", "country": "US", "zip": "1"}},
        ["body", "address", "zip"],
    ),
    ({"user_id": 999999}, ["body", "user_id"]),
]


async def test_invalid_fields_are_422(
    client: httpx.AsyncClient, staff: dict[str, str], db: Database
) -> None:
    for change, loc in INVALID:
        response = await client.post(URL, headers=staff, json=payload(**change))
        assert response.status_code == 422, (change, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert loc in problem_locs(response), (change, response.text)
    async with db.session() as session:
        assert (await session.scalars(select(Customer))).first() is None


async def test_national_id_never_echoed_in_errors(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    secret = "SECRET-9876543"
    response = await client.post(
        URL, headers=staff, json=payload(national_id=secret, phone="bad", credit_limit="x")
    )
    assert response.status_code == 422
    assert secret not in response.text


async def test_exactly_min_age_is_accepted(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    out = await create(client, staff, date_of_birth=_years_ago(18))
    assert out["date_of_birth"] == _years_ago(18)


async def test_max_credit_limit_is_accepted(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    assert (await create(client, staff, credit_limit="1000000"))["credit_limit"] == "1000000.00"


SAME_NUMBER = [
    "+12025550143",
    "(202) 555-0143",
    "202.555.0143",
    "1-202-555-0143",
    "+1 202 555 0143",
    "2025550143",
    "011 1 202 555 0143",
]


async def test_phone_formats_map_to_one_e164_and_collide(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    first = await create(client, staff, phone=SAME_NUMBER[0])
    assert first["phone"] == "+12025550143"
    for variant in SAME_NUMBER[1:]:
        response = await client.post(URL, headers=staff, json=payload(phone=variant))
        assert response.status_code == 409, variant
        problem = response.json()
        assert problem["type"].endswith("/duplicate-customer")
        assert "phone" in problem["detail"]
        assert problem_locs(response) == [["body", "phone"]]


async def test_international_formats_collide(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    out = await create(client, staff, phone="+44 20 7946 0958")
    assert out["phone"] == "+442079460958"
    for variant in ("+44 (0)20 7946 0958", "011 44 20 7946 0958", "+442079460958"):
        response = await client.post(URL, headers=staff, json=payload(phone=variant))
        assert response.status_code == 409, variant


async def test_duplicate_email_is_case_insensitive(
    client: httpx.AsyncClient, staff: dict[str, str]
) -> None:
    await create(client, staff, email="grace@example.com")
    response = await client.post(URL, headers=staff, json=payload(email="GRACE@Example.COM"))
    assert response.status_code == 409
    assert "email" in response.json()["detail"]
    assert problem_locs(response) == [["body", "email"]]


async def test_only_staff_and_admin_create(client: httpx.AsyncClient, app: Any) -> None:
    _, customer = await login_as(app)
    _, admin = await login_as(app, role="admin")
    assert (await client.post(URL, headers=customer, json=payload())).status_code == 403
    assert (await client.post(URL, json=payload())).status_code == 401
    assert (await client.post(URL, headers=admin, json=payload())).status_code == 201


async def test_same_email_links_nothing_until_staff_name_the_user(
    client: httpx.AsyncClient, app: Any, staff: dict[str, str]
) -> None:
    user, headers = await login_as(app, email="linked@example.com")
    out = await create(client, staff, email="Linked@Example.com")
    assert out["user_id"] is None  # an unverified e-mail proves nothing
    assert (await client.get(f"{URL}/me", headers=headers)).status_code == 404
    linked = await client.patch(f"{URL}/{out['id']}", headers=staff, json={"user_id": user.id})
    assert linked.status_code == 200
    me = await client.get(f"{URL}/me", headers=headers)
    assert me.status_code == 200 and me.json()["id"] == out["id"]


async def test_explicit_user_id_wins_and_must_be_free(
    client: httpx.AsyncClient, app: Any, staff: dict[str, str]
) -> None:
    user, _ = await login_as(app, email="someone@example.com")
    other, _ = await login_as(app, email="other@example.com")
    out = await create(client, staff, email="other@example.com", user_id=user.id)
    assert out["user_id"] == user.id
    response = await client.post(URL, headers=staff, json=payload(user_id=user.id))
    assert response.status_code == 409
    assert problem_locs(response) == [["body", "user_id"]]
    assert other.id != user.id


async def test_a_lost_race_is_still_409_naming_the_field(
    client: httpx.AsyncClient, staff: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    await create(client, staff, email="race@example.com", phone="+12025550177")

    async def no_clash(*_: Any, **__: Any) -> None:  # as if both checks ran before either insert
        return None

    monkeypatch.setattr("corebank.customers.repository.first_clash", no_clash)
    for field, value in (("email", "race@example.com"), ("phone", "+12025550177")):
        response = await client.post(URL, headers=staff, json=payload(**{field: value}))
        assert response.status_code == 409, response.text
        assert problem_locs(response) == [["body", field]]
