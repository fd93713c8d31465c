"""Credit checks against a real HTTP stub on loopback: retries, breaker, stale score on 503."""

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from corebank.credit.bureau import HttpBureau
from corebank.models import Customer
from tests.support import login_as


class StubBureau:
    """A minimal HTTP/1.1 server whose behaviour the test switches: ok, slow, failing."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.calls = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            ),
            0,
        )
        await reader.readexactly(length)
        self.calls += 1
        if self.mode == "slow":
            await asyncio.sleep(1.0)
        status, body = (
            (b"500 Internal Server Error", b"{}")
            if self.mode == "failing"
            else (b"200 OK", json.dumps({"score": 712}).encode())
        )
        writer.write(
            b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n"
            b"Connection: close\r\n\r\n" + body
        )
        with contextlib.suppress(ConnectionError):
            await writer.drain()
        writer.close()


@pytest.fixture
async def stub() -> AsyncIterator[StubBureau]:
    server = StubBureau()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def settings_overrides(stub: StubBureau) -> dict[str, Any]:
    return {
        "credit_bureau_url": f"http://127.0.0.1:{stub.port}",
        "credit_bureau_timeout_seconds": 0.3,
        "credit_breaker_failures": 2,
        "credit_breaker_reset_seconds": 0.5,
    }


async def make_customer(app: Any) -> int:
    async with app.state.db.transaction() as session:
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
    bureau: HttpBureau = app.state.credit_bureau
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
    app.state.credit_bureau.retry_delay = 0.001
    _, staff = await login_as(app, role="staff")
    cid = await make_customer(app)
    stub.mode = "failing"
    for _ in range(2):
        await check(client, staff, cid)
    await asyncio.sleep(0.6)
    response = await check(client, staff, cid)
    assert response.status_code == 503
    assert response.json()["last_score"] is None
    assert app.state.credit_bureau.breaker.state == "open"


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
