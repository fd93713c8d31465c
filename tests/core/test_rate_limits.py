"""Rate limits: per route and client, shared through Redis, surviving a Redis outage."""

import asyncio
from typing import Any

import httpx
import pytest

from corebank.core.db import Database
from corebank.main import create_app
from tests.identity.helpers import register
from tests.support import TcpProxy, login_as


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"rate_limit_enabled": True, "lockout_max_failures": 1000}


async def bad_login(client: httpx.AsyncClient, username: str, **kwargs: Any) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", data={"username": username, "password": "Wrong-passw0rd!"}, **kwargs
    )


async def test_eleventh_login_in_a_minute_is_429(client: httpx.AsyncClient) -> None:
    for n in range(10):
        response = await bad_login(client, f"user{n}@example.com")
        assert response.status_code == 401
        assert response.headers["x-ratelimit-limit"] == "10"
        assert response.headers["x-ratelimit-remaining"] == str(9 - n)
    refused = await bad_login(client, "user10@example.com")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"].endswith("/rate-limited")
    assert 1 <= int(refused.headers["retry-after"]) <= 61


async def test_form_and_json_login_share_one_bucket(client: httpx.AsyncClient) -> None:
    for n in range(5):
        await bad_login(client, f"user{n}@example.com")
    for n in range(5):
        response = await client.post(
            "/api/v1/auth/login", json={"username": f"j{n}@example.com", "password": "x"}
        )
        assert response.status_code == 401
    assert (await bad_login(client, "last@example.com")).status_code == 429


async def test_login_identifier_limit_holds_across_ips(app: Any) -> None:
    statuses = []
    for n in range(11):
        transport = httpx.ASGITransport(app=app, client=(f"198.51.100.{n + 1}", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            statuses.append((await bad_login(c, "victim@example.com")).status_code)
    assert statuses == [401] * 10 + [429]


async def test_registration_is_three_per_minute(client: httpx.AsyncClient) -> None:
    statuses = [(await register(client, email=f"r{n}@example.com")).status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]


async def test_forwarded_for_from_an_untrusted_peer_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    statuses = [
        (
            await bad_login(
                client, f"u{n}@example.com", headers={"X-Forwarded-For": f"192.0.2.{n}"}
            )
        ).status_code
        for n in range(11)
    ]
    assert statuses[-1] == 429


class TestTrustedProxy:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {
            "rate_limit_enabled": True,
            "trusted_proxies": "203.0.113.0/24",
            "lockout_max_failures": 1000,
        }

    async def test_clients_behind_a_trusted_proxy_are_told_apart(
        self, client: httpx.AsyncClient
    ) -> None:
        for n in range(10):
            await bad_login(client, f"u{n}@example.com", headers={"X-Forwarded-For": "192.0.2.1"})
        other = await bad_login(client, "z@example.com", headers={"X-Forwarded-For": "192.0.2.2"})
        assert other.status_code == 401
        same = await bad_login(client, "y@example.com", headers={"X-Forwarded-For": "192.0.2.1"})
        assert same.status_code == 429


class TestDefaultLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"rate_limit_enabled": True, "rate_limit_default": "5/minute"}

    async def test_general_limit_is_per_user(self, client: httpx.AsyncClient, app: Any) -> None:
        _, alice = await login_as(app)
        _, bob = await login_as(app)
        statuses = [
            (await client.get("/api/v1/users/me", headers=alice)).status_code for _ in range(6)
        ]
        assert statuses == [200] * 5 + [429]
        assert (await client.get("/api/v1/users/me", headers=bob)).status_code == 200

    async def test_operational_endpoints_are_not_limited(self, client: httpx.AsyncClient) -> None:
        assert all([(await client.get("/health")).status_code == 200 for _ in range(10)])


def client_for(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.mark.redis
async def test_limits_are_shared_by_two_instances(
    settings: Any, db: Database, redis_url: str
) -> None:
    shared = settings.model_copy(update={"redis_url": redis_url})
    first = create_app(shared, database=db)
    second = create_app(shared, database=db)
    async with client_for(first) as a, client_for(second) as b:
        for n in range(5):
            assert (await bad_login(a, f"a{n}@example.com")).status_code == 401
            assert (await bad_login(b, f"b{n}@example.com")).status_code == 401
        assert (await bad_login(a, "a-last@example.com")).status_code == 429
        assert (await bad_login(b, "b-last@example.com")).status_code == 429
    assert first.state.container.rate_limiter.backend == "redis"
    await first.state.container.rate_limiter.close()
    await second.state.container.rate_limiter.close()


@pytest.mark.redis
async def test_redis_outage_falls_back_to_memory_and_recovers(
    settings: Any, db: Database, redis_url: str
) -> None:
    host, port = "127.0.0.1", int(redis_url.split(":")[2].split("/")[0])
    proxy = TcpProxy(host, port)
    await proxy.start()
    database = redis_url.rsplit("/", 1)[1]
    proxied = settings.model_copy(
        update={"redis_url": f"redis://127.0.0.1:{proxy.port}/{database}"}
    )
    app = create_app(proxied, database=db)
    limiter = app.state.container.rate_limiter
    async with client_for(app) as client:
        for n in range(3):
            assert (await bad_login(client, f"x{n}@example.com")).status_code == 401
        await proxy.stop()
        for n in range(7):  # Redis is gone: requests still succeed, now counted in memory
            assert (await bad_login(client, f"y{n}@example.com")).status_code == 401
        assert limiter.fallback_active
        statuses = [(await bad_login(client, f"z{n}@example.com")).status_code for n in range(11)]
        assert statuses[-1] == 429  # the memory limiter enforces the same rule
        await proxy.start()
        for _ in range(60):
            if not limiter.fallback_active:
                break
            await asyncio.sleep(0.1)
        assert not limiter.fallback_active
        assert limiter.backend == "redis"
        health = await client.get("/health/detailed")
        assert health.json()["dependencies"]["redis"]["status"] == "ok"
    await limiter.close()
    await proxy.stop()
