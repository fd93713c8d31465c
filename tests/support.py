"""Helpers shared by tests (importable, unlike conftest)."""

from __future__ import annotations

import os
import secrets
from typing import Any

import pytest

from corebank.config import Settings

PG_ADMIN_DSN = os.environ.get("TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str) -> None:
    """Skip the test, or fail it under CI where every service must be reachable."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: unreachable services are failures)")
    pytest.skip(reason)


def worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def test_settings(database_url: str, **overrides: Any) -> Settings:
    """Settings for tests: no .env, cheap password hashing, a random key."""
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": secrets.token_urlsafe(48),
        "log_format": "json",
        "argon2_time_cost": 1,
        "argon2_memory_cost": 1024,
        "argon2_parallelism": 1,
        "rate_limit_enabled": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


test_settings.__test__ = False  # type: ignore[attr-defined]
