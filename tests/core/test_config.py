"""Settings: plain names from the environment, and production refusing unsafe values."""

import os

import pytest
from pydantic import ValidationError

from corebank.config import Settings, available_cores, default_hash_concurrency


def make(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        (None, "SECRET_KEY is not set"),
        ("short-key", "at least 32 bytes"),
        ("a" * 40, "known default"),
    ],
)
def test_production_refuses_weak_secret(secret: str | None, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        make(environment="production", secret_key=secret)


def test_production_refuses_debug() -> None:
    with pytest.raises(ValidationError, match="DEBUG must be off"):
        make(environment="production", secret_key="k" + "x1y2z3w4v5u6t7s8r9q0" * 2, debug=True)


def test_wildcard_cors_with_credentials_is_refused() -> None:
    with pytest.raises(ValidationError, match="CORS"):
        make(cors_origins="*", cors_allow_credentials=True)


def test_production_accepts_a_strong_secret() -> None:
    settings = make(
        environment="production",
        secret_key="Zq8!" + "mK3#pL9$vB2&" * 3,
        allowed_hosts="api.bank.example",
        mfa_encryption_key="k1:" + "A" * 43 + "=",
        attestation_signing_key="B" * 43,
    )
    assert settings.signing_key.startswith("Zq8!")


def test_reads_plain_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///./x.db")
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    monkeypatch.setenv("CURRENCIES", "usd,eur")
    monkeypatch.setenv("LOCKOUT_MAX_FAILURES", "7")
    settings = make()
    assert settings.database_url == "sqlite+aiosqlite:///./x.db"
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.currencies == ["USD", "EUR"]
    assert settings.lockout_max_failures == 7


@pytest.mark.parametrize(("cores", "threads"), [(1, 1), (2, 1), (4, 3), (64, 63)])
def test_hashing_threads_default_to_the_cores_left_after_the_event_loop(
    cores: int, threads: int
) -> None:
    assert default_hash_concurrency(cores) == threads


def test_hashing_threads_default_to_this_process_cores_unless_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert 1 <= available_cores() <= (os.cpu_count() or 1)
    assert make().password_hash_concurrency == default_hash_concurrency(available_cores())
    assert make(password_hash_concurrency=3).password_hash_concurrency == 3
    monkeypatch.setenv("PASSWORD_HASH_CONCURRENCY", "5")
    assert make().password_hash_concurrency == 5


def test_development_key_is_random_per_process_but_stable() -> None:
    first, second = make(), make()
    assert first.signing_key == second.signing_key
    assert len(first.signing_key) >= 32


def test_env_example_documents_every_setting() -> None:
    from pathlib import Path

    documented = Path(__file__).parents[2].joinpath(".env.example").read_text()
    for name in Settings.model_fields:
        assert f"{name.upper()}=" in documented, f"{name.upper()} missing from .env.example"
