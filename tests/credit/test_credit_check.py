"""Credit checks against a real HTTP stub on loopback: retries, breaker, stale score on 503."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from corebank.credit.bureau import HttpBureau
from corebank.models import Customer
from tests.fake_http import FakeHttpServer, Received, Reply, serving
from tests.support import login_as

JSON = {"Content-Type": "application/json"}


class StubBureau(FakeHttpServer):
    """A credit bureau whose behaviour the test switches: ok, slow, failing.

    Every answer is JSON and closes its connection; `calls` counts the requests received.
    """

    def __init__(self) -> None:
        super().__init__()
        self.mode = "ok"

    @property
    def calls(self) -> int:
        return len(self.requests)

    async def respond(self, request: Received) -> Reply:
        if self.mode == "slow":
            await asyncio.sleep(1.0)
        if self.mode == "failing":
            return Reply(500, b"{}", JSON, close=True)
        return Reply(200, json.dumps({"score": 712}).encode(), JSON, close=True)


@pytest.fixture
async def stub() -> AsyncIterator[StubBureau]:
    async with serving(StubBureau()) as server:
        yield server


@pytest.fixture
def settings_overrides(stub: StubBureau) -> dict[str, Any]:
    return {
        "credit_bureau_url": stub.base_url,
        "credit_bureau_timeout_seconds": 0.3,
        "credit_breaker_failures": 2,
        "credit_breaker_reset_seconds": 0.5,
    }


async def make_customer(app: Any) -> int:
    async with app.state.container.db.transaction() as session:
        customer = Customer(
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.com",
            phone="+14155550100",
            search_text="ada lovelace",
        )
        session.add(customer)
    return customer.id


async def check(client: httpx.AsyncClient, headers: dict[str, str], cid: int) -> httpx.Response:
    return await client.post(f"/api/v1/customers/{cid}/credit-check", headers=headers)


async def test_breaker_walks_closed_open_half_open_closed(
    client: httpx.AsyncClient, app: Any, stub: StubBureau
) -> None:
    bureau: HttpBureau = app.state.container.credit_bureau
    bureau.retry_delay = 0.001
    _, staff = await login_as(app, role="staff")
    cid = await make_customer(app)

    ok = await check(client, staff, cid)
    assert ok.status_code == 200
    assert ok.json()["score"] == 712
    assert bureau.breaker.state == "closed"

    stub.mode = "failing"
    calls = stub.calls
    first = await check(client, staff, cid)
    assert first.status_code == 503
    assert stub.calls - calls == 3  # retried the transient 500s
    body = first.json()
    assert body["type"].endswith("/credit-bureau-unavailable")
    assert body["last_score"]["score"] == 712
    assert body["last_score"]["age_seconds"] >= 0
    stub.mode = "slow"
    assert (await check(client, staff, cid)).status_code == 503  # timeouts
    assert bureau.breaker.state == "open"

    calls = stub.calls
    fast = await check(client, staff, cid)
    assert fast.status_code == 503
    assert stub.calls == calls  # open: the bureau is not even asked
    assert int(fast.headers["retry-after"]) >= 1

    await asyncio.sleep(0.6)
    assert bureau.breaker.state == "half_open"
    stub.mode = "ok"
    recovered = await check(client, staff, cid)
    assert recovered.status_code == 200
    assert bureau.breaker.state == "closed"


async def test_probe_failure_reopens(client: httpx.AsyncClient, app: Any, stub: StubBureau) -> None:
    app.state.container.credit_bureau.retry_delay = 0.001
    _, staff = await login_as(app, role="staff")
    cid = await make_customer(app)
    stub.mode = "failing"
    for _ in range(2):
        await check(client, staff, cid)
    await asyncio.sleep(0.6)
    response = await check(client, staff, cid)
    assert response.status_code == 503
    assert response.json()["last_score"] is None
    assert app.state.container.credit_bureau.breaker.state == "open"


async def test_customers_cannot_run_checks(
    client: httpx.AsyncClient, app: Any, stub: StubBureau
) -> None:
    _, customer = await login_as(app)
    cid = await make_customer(app)
    assert (await check(client, customer, cid)).status_code == 403
    _, staff = await login_as(app, role="staff")
    assert (await check(client, staff, 99999)).status_code == 404


class TestDevelopmentScorer:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {}

    async def test_deterministic_without_a_bureau(
        self, client: httpx.AsyncClient, app: Any
    ) -> None:
        _, staff = await login_as(app, role="staff")
        cid = await make_customer(app)
        first = await check(client, staff, cid)
        second = await check(client, staff, cid)
        assert first.status_code == second.status_code == 200
        assert first.json()["source"] == "development"
        assert first.json()["score"] == second.json()["score"]
        assert 300 <= first.json()["score"] <= 850

    async def test_ids_beyond_64_bits_are_422_not_500(
        self, client: httpx.AsyncClient, app: Any
    ) -> None:
        """Found by the API fuzzer: an id the database cannot hold overflowed the driver."""
        _, staff = await login_as(app, role="staff")
        for bad in (2**63, -(2**63) - 1, 0):
            response = await check(client, staff, bad)
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"
        assert (await check(client, staff, 2**63 - 1)).status_code == 404
