"""Security headers on every status, CORS, trusted hosts, body limits, gzip, docs switch."""

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from corebank.core.db import Database
from corebank.main import create_app
from tests.support import test_settings

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}


def assert_security_headers(response: httpx.Response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert "server" not in response.headers


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {
        "rate_limit_enabled": True,
        "rate_limit_register": "1/minute",
        "cors_origins": "https://app.example",
        "allowed_hosts": "testserver,api.example",
        "body_limit_bytes": 2048,
    }


@pytest.fixture
def boom_app(app: FastAPI) -> FastAPI:
    @app.get("/probe/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    @app.post("/probe/echo")
    async def echo(body: dict[str, Any]) -> dict[str, int]:
        return {"keys": len(body)}

    return app


async def test_headers_on_2xx_404_429_and_500(boom_app: FastAPI, client: httpx.AsyncClient) -> None:
    assert_security_headers(await client.get("/health"))
    assert_security_headers(await client.get("/nope"))
    body = {"email": "a@example.com", "password": "Tr0ub4dor&3-horse", "full_name": "A"}
    await client.post("/api/v1/auth/register", json=body)
    limited = await client.post("/api/v1/auth/register", json=body | {"email": "b@example.com"})
    assert limited.status_code == 429
    assert_security_headers(limited)
    failed = await client.get("/probe/boom")
    assert failed.status_code == 500
    assert_security_headers(failed)


async def test_docs_get_a_same_origin_policy_and_still_render(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        page = await client.get(path)
        assert page.status_code == 200
        csp = page.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "script-src 'self'" in csp
        assert "http" not in csp  # no CDN, no font host (tests/core/test_docs_offline.py)
        assert "frame-ancestors 'none'" in csp


async def test_hsts_only_in_production(client: httpx.AsyncClient, settings: Any) -> None:
    assert "strict-transport-security" not in (await client.get("/health")).headers
    production = test_settings(
        settings.database_url,
        environment="production",
        allowed_hosts="testserver",
        mfa_encryption_key="k1:" + "A" * 43 + "=",
        attestation_signing_key="B" * 43,
    )
    app = create_app(production, database=Database(production))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.get("/health")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    await app.state.container.db.dispose()


async def test_cors_preflight_allowed_origin(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/api/v1/users/me",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "Authorization",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://app.example"
    simple = await client.get("/health", headers={"Origin": "https://app.example"})
    assert "X-Correlation-ID" in simple.headers["access-control-expose-headers"]


async def test_cors_preflight_refused_origin(client: httpx.AsyncClient) -> None:
    response = await client.options(
        "/api/v1/users/me",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers
    simple = await client.get("/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in simple.headers


async def test_unknown_host_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.get("/health", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert (await client.get("/health", headers={"Host": "api.example"})).status_code == 200


async def test_body_over_the_limit_is_413_with_content_length(
    boom_app: FastAPI, client: httpx.AsyncClient
) -> None:
    response = await client.post("/probe/echo", json={"k": "x" * 4000})
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-correlation-id"]


async def test_chunked_body_over_the_limit_is_413(
    boom_app: FastAPI, client: httpx.AsyncClient
) -> None:
    async def chunks() -> Any:
        yield b'{"k": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    response = await client.post(
        "/probe/echo", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


async def test_small_body_passes(boom_app: FastAPI, client: httpx.AsyncClient) -> None:
    assert (await client.post("/probe/echo", json={"a": 1})).status_code == 200


async def test_large_responses_are_gzipped(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/openapi.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    small = await client.get("/health", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


async def test_docs_can_be_switched_off(settings: Any, db: Database) -> None:
    app = create_app(settings.model_copy(update={"docs_enabled": False}), database=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        for path in ("/docs", "/redoc", "/api/v1/openapi.json"):
            assert (await c.get(path)).status_code == 404
