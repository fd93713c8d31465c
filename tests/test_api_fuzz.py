"""Schemathesis against our own OpenAPI schema, in process, as an admin.

The schema is fetched from the app itself (`/api/v1/openapi.json` over ASGI, no server) and
every operation in it is fuzzed with a small, derandomized Hypothesis budget, so the module is
deterministic in CI. Each generated request is sent to the app over ASGI with an admin's bearer
token (admins can reach every route), and every response must:

- not be a server error (5xx): every bad input gets a clear 4xx (DESIGN.md);
- carry a content type that the schema documents for its status code;
- match the response schema documented for its status code.

Every operation is fuzzed; none is excluded (with the built-in development credit scorer and
a stubbed DNS resolver nothing here depends on a service that could be down, so no 503 is
expected either). Each operation gets a fresh database holding a customer, an account with a
deposit and a hold, and a webhook endpoint, so that small ids reach real rows, not just 404s.

Not checked here: `status_code_conformance`. Malformed JSON and bad cursors are 400 by design
(DESIGN.md), but the operations do not document 400 yet, so this check would fail on every
operation that takes a body or a cursor until that documentation is added (its own change).

This module runs on SQLite only: it checks the HTTP contract, and how each domain behaves on
PostgreSQL is covered by that domain's own tests, which run on both backends.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from corebank.core.api import API_PREFIX
from corebank.main import create_app
from tests.support import login_as, test_settings

CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
NO_DISPATCHER = {"outbox_dispatcher_in_process": False}


def _schema_app() -> FastAPI:
    """An app that only serves its schema: same routes, never touches its (in-memory) database."""
    return create_app(test_settings("sqlite+aiosqlite:///:memory:", **NO_DISPATCHER))


# Loaded at collection so that every operation is its own test. (`schemathesis.pytest.
# from_fixture` would fetch it from the per-test app instead, but on pytest 9 it fails on
# `Node._nodeid`.) The schema is fetched over ASGI exactly as a client would get it.
schema = schemathesis.openapi.from_asgi(f"{API_PREFIX}/openapi.json", _schema_app())


@pytest.fixture
def backend() -> str:
    """SQLite only (see the module docstring)."""
    return "sqlite"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # The outbox dispatcher would run in the ASGI lifespan and try to deliver what the fuzzer
    # creates; delivery has its own tests.
    return NO_DISPATCHER


async def _public_address(host: str, port: int) -> list[str]:
    return ["93.184.215.14"]  # any name is public: no DNS lookups from generated URLs


async def _seed(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    """One of each object the API reads by id, so that small ids hit real rows, not just 404."""
    api = f"http://testserver{API_PREFIX}"
    seeds: list[tuple[str, dict[str, Any]]] = [
        ("/webhooks", {"url": "https://hooks.example.com/corebank", "event_types": ["*"]}),
        (
            "/customers",
            {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "ada@example.com",
                "phone": "+1 650 253 0000",
                "date_of_birth": "1990-12-10",
            },
        ),
        ("/accounts", {"customer_id": 1, "type": "checking", "currency": "USD"}),
    ]
    for path, body in seeds:
        response = await client.post(api + path, json=body, headers=headers)
        assert response.status_code == 201, response.text
    account_id = response.json()["id"]
    for path, body in [("deposits", {"amount": "100.00"}), ("holds", {"amount": "10.00"})]:
        response = await client.post(
            f"{api}/accounts/{account_id}/{path}", json=body, headers=headers
        )
        assert response.status_code == 201, response.text


@pytest.fixture
async def admin_headers(app: FastAPI, client: httpx.AsyncClient) -> dict[str, str]:
    """An admin's bearer header, on a seeded database (see `_seed`)."""
    app.state.container.webhook_guard.resolver = _public_address
    _, headers = await login_as(app, "admin")
    await _seed(client, headers)
    # Schemathesis serves the app from its own event loop: start that with an empty pool, so
    # no connection opened on the test's loop is handed to it.
    await app.state.container.db.engine.dispose()
    return headers


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    # One app and database per operation, shared by its examples on purpose: what one
    # example creates (a user, an account) is there for the next one to trip over.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_api_conforms_to_its_schema(case: Any, app: FastAPI, admin_headers: dict[str, str]) -> None:
    case.call_and_validate(app=app, headers=admin_headers, checks=CHECKS)
