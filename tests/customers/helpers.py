"""Helpers for customer tests: valid payloads, API calls and fast bulk inserts."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
from sqlalchemy import insert

from corebank.customers.search import search_text
from corebank.models import Customer

URL = "/api/v1/customers"
_serial = itertools.count(1)


def payload(**overrides: Any) -> dict[str, Any]:
    """A valid create body with a unique e-mail and phone."""
    n = next(_serial)
    body: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": f"ada{n}@example.com",
        "phone": f"+1 650 253 {n % 10000:04d}",
        "date_of_birth": "1990-12-10",
    }
    body.update(overrides)
    return body


async def create(client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any) -> Any:
    """POST a customer and return its JSON (asserting 201)."""
    response = await client.post(URL, headers=headers, json=payload(**overrides))
    assert response.status_code == 201, response.text
    return response.json()


def row(n: int, **overrides: Any) -> dict[str, Any]:
    """Column values for a bulk-inserted customer number `n` (search_text included)."""
    values: dict[str, Any] = {
        "first_name": f"Bulk{n}",
        "last_name": "Person",
        "email": f"bulk{n}@example.com",
        "phone": f"+1202555{n:04d}",
        "credit_limit_minor": 0,
        "kyc_status": "pending",
    }
    values.update(overrides)
    values["search_text"] = search_text(
        first_name=values["first_name"],
        last_name=values["last_name"],
        email=values["email"],
        phone=values["phone"],
    )
    return values


async def bulk_insert(app: Any, rows: list[dict[str, Any]]) -> None:
    """Insert many customers in one statement (bypassing the API, for volume)."""
    async with app.state.container.db.transaction() as session:
        await session.execute(insert(Customer), rows)


def problem_locs(response: httpx.Response) -> list[list[Any]]:
    return [e["loc"] for e in response.json().get("errors", [])]
