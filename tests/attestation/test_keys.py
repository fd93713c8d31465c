"""The signing key: production refuses to start without a valid one; development and test
generate one per process, warn (never logging the key) and still serve."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import structlog
from pydantic import ValidationError

from corebank.attestation.signing import Signer
from corebank.config import Settings
from corebank.container import build_container, close_container
from tests.attestation.helpers import ATTESTATION, KEY, third_party_verifies
from tests.support import login_as, test_settings

PRODUCTION = {
    "environment": "production",
    "secret_key": "Zq8!" + "mK3#pL9$vB2&" * 3,
    "allowed_hosts": "api.bank.example",
    "mfa_encryption_key": "k1:" + "A" * 43 + "=",
}


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "ATTESTATION_SIGNING_KEY is not set"),
        ("", "ATTESTATION_SIGNING_KEY is not set"),
        ("replace-me", "ATTESTATION_SIGNING_KEY: must be 32 bytes"),
        ("!!!", "ATTESTATION_SIGNING_KEY: not base64url"),
    ],
)
def test_production_refuses_to_start_without_a_valid_key(key: str | None, message: str) -> None:
    values = dict(PRODUCTION) | ({} if key is None else {"attestation_signing_key": key})
    with pytest.raises(ValidationError, match=message) as raised:
        Settings(_env_file=None, **values)  # type: ignore[arg-type]
    if key:
        assert key not in str(raised.value).replace(message, "")


def test_production_starts_with_a_key() -> None:
    settings = Settings(_env_file=None, attestation_signing_key="B" * 43, **PRODUCTION)  # type: ignore[arg-type]
    assert settings.attestation_signing_key is not None


async def test_development_generates_a_key_and_warns(database_url: str, db: Any) -> None:
    settings = test_settings(database_url)
    with structlog.testing.capture_logs() as logs:
        container = build_container(settings, database=db)
    try:
        (warning,) = [line for line in logs if line["event"] == "attestation.key_generated"]
        assert warning["log_level"] == "warning"
        assert warning["key_id"] == container.attestation.signer.key_id
        assert set(warning) == {"event", "log_level", "key_id", "reason"}  # never the key
    finally:
        await close_container(container)


async def test_the_generated_key_still_signs_and_serves(
    client: httpx.AsyncClient, app: Any
) -> None:
    _, admin = await login_as(app, "admin")
    document = (await client.get(ATTESTATION, headers=admin)).json()
    jwk = (await client.get(KEY)).json()
    assert jwk == app.state.container.attestation.signer.jwk
    assert third_party_verifies(document, jwk)


class TestConfiguredKey:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"attestation_signing_key": "F" * 43}

    async def test_the_configured_key_signs(self, client: httpx.AsyncClient, app: Any) -> None:
        jwk = (await client.get(KEY)).json()
        assert jwk == Signer.from_text("F" * 43).jwk
        _, admin = await login_as(app, "admin")
        document = (await client.get(ATTESTATION, headers=admin)).json()
        assert document["key_id"] == jwk["kid"]
        assert third_party_verifies(document, jwk)
