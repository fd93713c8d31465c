"""/metrics: exact counts after a scripted set of requests; route templates, not raw paths."""

from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.identity.helpers import login, register
from tests.support import login_as


async def scrape(client: httpx.AsyncClient, **kwargs: Any) -> dict[tuple[str, tuple], float]:
    response = await client.get("/metrics", **kwargs)
    assert response.status_code == 200
    samples: dict[tuple[str, tuple], float] = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def delta(before: dict, after: dict, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"rate_limit_enabled": True, "rate_limit_register": "2/minute"}


async def test_scripted_requests_give_exact_counts(client: httpx.AsyncClient, app: Any) -> None:
    before = await scrape(client)
    await register(client, email="alice@example.com")
    await register(client, email="bob@example.com")
    assert (await register(client, email="carol@example.com")).status_code == 429
    for _ in range(2):
        assert (await login(client)).status_code == 200
    for n in range(5):
        await login(client, username="bob@example.com", password=f"Wrong-{n}!")
    assert (await login(client, username="bob@example.com")).status_code == 403
    _, admin = await login_as(app, role="admin")
    missing = await client.get("/api/v1/users/424242", headers=admin)
    assert missing.status_code == 404
    after = await scrape(client)

    logins = "corebank_auth_logins_total"
    assert delta(before, after, logins, outcome="success") == 2
    assert delta(before, after, logins, outcome="failure") == 5
    assert delta(before, after, logins, outcome="locked") == 1
    assert delta(before, after, "corebank_auth_lockouts_total") == 1
    requests = "corebank_http_requests_total"
    login_route = {"method": "POST", "route": "/api/v1/auth/login"}
    assert delta(before, after, requests, **login_route, status_class="2xx") == 2
    assert delta(before, after, requests, **login_route, status_class="4xx") == 6
    register_route = {"method": "POST", "route": "/api/v1/auth/register"}
    assert delta(before, after, requests, **register_route, status_class="2xx") == 2
    assert delta(before, after, requests, **register_route, status_class="4xx") == 1
    user_route = {"method": "GET", "route": "/api/v1/users/{user_id}", "status_class": "4xx"}
    assert delta(before, after, requests, **user_route) == 1
    decisions = "corebank_rate_limit_decisions_total"
    assert delta(before, after, decisions, scope="register", outcome="allowed") == 2
    assert delta(before, after, decisions, scope="register", outcome="refused") == 1
    assert after[("corebank_auth_active_sessions", ())] >= 3
    raw_paths = [k for k in after if "/api/v1/users/424242" in str(k)]
    assert raw_paths == []


async def test_histograms_and_pool_gauges_are_exported(client: httpx.AsyncClient) -> None:
    await client.get("/health")
    samples = await scrape(client)
    names = {name for name, _ in samples}
    for expected in (
        "corebank_http_request_duration_seconds_bucket",
        "corebank_http_response_size_bytes_bucket",
        "corebank_http_requests_in_progress",
        "corebank_db_query_duration_seconds_bucket",
        "corebank_db_pool_connections",
        "corebank_db_breaker_open",
        "corebank_rate_limit_fallback_active",
    ):
        assert expected in names, expected


async def test_metrics_endpoint_is_not_in_the_public_docs(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    assert "/metrics" not in schema["paths"]


class TestToken:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"metrics_token": "scrape-secret-token"}

    async def test_token_is_required_when_set(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/metrics")).status_code == 401
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-secret-token"})
        assert ok.status_code == 200


async def test_ledger_counts_and_replays(client: httpx.AsyncClient, app: Any) -> None:
    from tests.ledger.helpers import make_customer

    _, staff = await login_as(app, role="staff")
    customer = await make_customer(app)
    account = await client.post(
        "/api/v1/accounts",
        headers=staff,
        json={"customer_id": customer.id, "type": "checking", "currency": "USD"},
    )
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    before = await scrape(client)
    deposit = {"amount": "12.34"}
    keyed = staff | {"Idempotency-Key": "metrics-deposit-1"}
    for _ in range(2):  # the second is a replay
        response = await client.post(
            f"/api/v1/accounts/{account_id}/deposits", headers=keyed, json=deposit
        )
        assert response.status_code == 201
    refused = await client.post(
        f"/api/v1/accounts/{account_id}/withdrawals", headers=staff, json={"amount": "99.00"}
    )
    assert refused.status_code == 422
    after = await scrape(client)
    transactions = "corebank_ledger_transactions_total"
    assert delta(before, after, transactions, type="deposit", outcome="posted") == 1
    assert delta(before, after, transactions, type="withdrawal", outcome="refused") == 1
    amount = "corebank_ledger_amount_minor_total"
    assert delta(before, after, amount, type="deposit", currency="USD") == 1234
    assert delta(before, after, "corebank_idempotent_replays_total") == 1
    assert ("corebank_ledger_open_holds", ()) in after
    assert ("corebank_outbox_backlog", ()) in after
