"""ENVIRONMENT=production with defaults: no docs, no metrics, no dependency report for
strangers, no Host but the named ones, and no redirect built from the Host header."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from corebank.config import Settings
from corebank.main import create_app
from tests.support import auth_headers, create_user, test_settings

STRONG_KEY = "Zq8!" + "mK3#pL9$vB2&" * 3
HOST = "api.bank.example"
MFA_KEY = "k1:" + "A" * 43 + "="
ATTESTATION_KEY = "B" * 43


def test_production_refuses_any_host() -> None:
    for hosts in ("*", "api.bank.example,*"):
        with pytest.raises(ValidationError, match="ALLOWED_HOSTS must name the hosts"):
            Settings(  # type: ignore[call-arg]
                _env_file=None,
                environment="production",
                secret_key=STRONG_KEY,
                allowed_hosts=hosts,
                mfa_encryption_key=MFA_KEY,
                attestation_signing_key=ATTESTATION_KEY,
            )


def test_production_closes_docs_and_dependency_report_by_default() -> None:
    production = Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment="production",
        secret_key=STRONG_KEY,
        allowed_hosts=HOST,
        mfa_encryption_key=MFA_KEY,
        attestation_signing_key=ATTESTATION_KEY,
    )
    development = Settings(_env_file=None)  # type: ignore[call-arg]
    closed = ("docs_enabled", "health_details_public", "require_mfa_for_staff", "sca_required")
    assert [getattr(production, name) for name in closed] == [False, False, True, True]
    assert [getattr(development, name) for name in closed] == [True, True, False, False]
    reopened = Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment="production",
        secret_key=STRONG_KEY,
        allowed_hosts=HOST,
        mfa_encryption_key=MFA_KEY,
        attestation_signing_key=ATTESTATION_KEY,
        docs_enabled=True,
    )
    assert reopened.docs_enabled is True


def _production(database_url: str, **overrides: Any) -> Settings:
    return test_settings(
        database_url,
        environment="production",
        secret_key=STRONG_KEY,
        allowed_hosts=HOST,
        mfa_encryption_key=MFA_KEY,
        attestation_signing_key=ATTESTATION_KEY,
        **overrides,
    )


@pytest.fixture
def settings(database_url: str) -> Settings:
    return _production(database_url)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url=f"https://{HOST}") as client:
        yield client


async def test_no_docs_schema_or_metrics(client: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc", "/api/v1/openapi.json", "/metrics"):
        response = await client.get(path)
        assert response.status_code == 404, path
    assert "METRICS_TOKEN" in (await client.get("/metrics")).json()["detail"]


async def test_orchestrator_probes_stay_open(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/health/ready")).status_code == 200


async def test_dependency_report_needs_staff(client: httpx.AsyncClient, app: Any) -> None:
    anonymous = await client.get("/health/detailed")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"].startswith("application/problem+json")
    assert "database" not in anonymous.text
    customer = await auth_headers(app, await create_user(app))
    assert (await client.get("/health/detailed", headers=customer)).status_code == 403
    forged = {"Authorization": "Bearer not-a-token"}
    assert (await client.get("/health/detailed", headers=forged)).status_code == 403
    staff = await auth_headers(app, await create_user(app, role="staff"))
    report = await client.get("/health/detailed", headers=staff)
    assert report.status_code == 200
    assert report.json()["dependencies"]["database"]["status"] == "ok"


async def test_foreign_host_is_refused_and_never_redirected_to(client: httpx.AsyncClient) -> None:
    evil = await client.post(
        "/api/v1/auth/login/",
        data={"username": "a@example.com", "password": "x"},
        headers={"Host": "evil.example"},
    )
    assert evil.status_code == 400
    assert "location" not in evil.headers
    slash = await client.post("/api/v1/auth/login/", data={"username": "a", "password": "x"})
    assert slash.status_code == 404
    assert "location" not in slash.headers


class TestWithMetricsToken:
    TOKEN = "metrics-" + "t0k3n" * 8

    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        return _production(database_url, metrics_token=self.TOKEN)

    async def test_metrics_need_the_token(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/metrics")).status_code == 401
        wrong = {"Authorization": "Bearer wrong"}
        assert (await client.get("/metrics", headers=wrong)).status_code == 401
        right = {"Authorization": f"Bearer {self.TOKEN}"}
        scraped = await client.get("/metrics", headers=right)
        assert scraped.status_code == 200
        assert "corebank_http_requests_total" in scraped.text

    async def test_the_metrics_token_opens_the_dependency_report(
        self, client: httpx.AsyncClient
    ) -> None:
        right = {"Authorization": f"Bearer {self.TOKEN}"}
        assert (await client.get("/health/detailed", headers=right)).status_code == 200


def test_create_app_in_production_builds(database_url: str) -> None:
    app = create_app(_production(database_url))
    paths = {getattr(route, "path", None) for route in app.routes}
    assert "/docs" not in paths and "/redoc" not in paths


def test_production_refuses_to_start_without_an_mfa_key() -> None:
    with pytest.raises(ValidationError, match="MFA_ENCRYPTION_KEY is not set"):
        Settings(  # type: ignore[call-arg]
            _env_file=None, environment="production", secret_key=STRONG_KEY, allowed_hosts=HOST
        )


def test_duplicate_mfa_key_ids_are_refused() -> None:
    with pytest.raises(ValidationError, match="each key needs an id of its own"):
        Settings(  # type: ignore[call-arg]
            _env_file=None,
            environment="production",
            secret_key=STRONG_KEY,
            allowed_hosts=HOST,
            mfa_encryption_key=f"{MFA_KEY},k1:{'B' * 43}=",
        )


def test_opening_a_production_default_is_logged(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from corebank.config import opened_in_production

    opened = _production(database_url, sca_required=False, docs_enabled=True)
    assert opened_in_production(opened) == ["DOCS_ENABLED", "SCA_REQUIRED"]
    assert opened_in_production(_production(database_url)) == []
    capsys.readouterr()
    create_app(opened)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    (warning,) = [line for line in lines if line["event"] == "production.defaults_opened"]
    assert warning["level"] == "warning"
    assert warning["settings"] == ["DOCS_ENABLED", "SCA_REQUIRED"]
