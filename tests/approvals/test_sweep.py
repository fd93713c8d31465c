"""`corebank ledger sweep` expires approval requests past APPROVAL_TTL and voids their holds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from corebank.cli import app as cli
from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from tests.approvals.test_approvals import staff, transfer, two_accounts
from tests.ledger.helpers import API, balances

__all__ = ["staff"]  # the fixture, shared with the API tests


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"approval_threshold": "USD:1000.00", "approval_ttl": "PT10M"}


@pytest.fixture
def clock() -> FrozenClock:
    """Two hours ago: the requests these tests make are past their TTL for the real clock."""
    return FrozenClock(datetime.now(UTC) - timedelta(hours=2))


async def test_corebank_ledger_sweep_expires_due_requests(
    app: Any,
    client: httpx.AsyncClient,
    db: Database,
    staff: dict[str, str],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    source, target, headers = await two_accounts(client, app, staff)
    request = (await transfer(client, headers, source, target, "1200.00")).json()
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.chdir(tmp_path)

    swept = await asyncio.to_thread(CliRunner().invoke, cli, ["ledger", "sweep"])

    assert swept.exit_code == 0, swept.output
    assert "expired 1 approval requests" in swept.output
    shown = (await client.get(f"{API}/approvals/{request['id']}", headers=staff)).json()
    assert shown["status"] == "expired"
    assert await balances(db, source["id"]) == {source["id"]: (500000, 0)}
