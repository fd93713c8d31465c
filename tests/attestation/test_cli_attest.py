"""`corebank attest`: --file (offline, with the JWK) and --url (a real `corebank serve`) verify
the signature, the age and every invariant; exit 1 on a bad signature, a stale attestation, a
failing invariant or a broken link; keygen and write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import corebank
from corebank.attestation import service
from corebank.attestation.signing import Signer
from corebank.cli import app as cli
from tests.attestation.helpers import ATTESTATION, KEY, small_ledger
from tests.ledger.helpers import tamper
from tests.support import free_port, login_as

runner = CliRunner()


async def saved(client: httpx.AsyncClient, app: Any, tmp_path: Path) -> tuple[Path, Path]:
    _, admin = await login_as(app, "admin")
    document = (await client.get(ATTESTATION, headers=admin)).json()
    path, key = tmp_path / "attestation.json", tmp_path / "key.json"
    path.write_text(json.dumps(document))
    key.write_text(json.dumps((await client.get(KEY)).json()))
    return path, key


async def test_file_verifies_offline_and_fails_when_changed(
    client: httpx.AsyncClient, app: Any, tmp_path: Path
) -> None:
    await small_ledger(client, app)
    path, key = await saved(client, app, tmp_path)
    good = runner.invoke(cli, ["attest", "--file", str(path), "--key", str(key)])
    assert good.exit_code == 0, good.output
    assert "signature: ok" in good.output
    assert "invariant stored_balances: ok" in good.output
    assert "attestation verified" in good.output

    document = json.loads(path.read_text())
    document["attestation"]["currencies"]["USD"]["open_holds"] = "0.00"
    path.write_text(json.dumps(document))
    bad = runner.invoke(cli, ["attest", "--file", str(path), "--key", str(key)])
    assert bad.exit_code == 1
    assert "signature: FAILED" in bad.output

    other = tmp_path / "other.json"
    other.write_text(json.dumps(Signer.from_text("C" * 43).jwk))
    wrong_key = runner.invoke(cli, ["attest", "--file", str(path), "--key", str(other)])
    assert wrong_key.exit_code == 1
    assert "signature: FAILED" in wrong_key.output


async def test_a_failing_invariant_or_a_stale_one_exits_1(
    client: httpx.AsyncClient, app: Any, tmp_path: Path, clock: Any
) -> None:
    ledger = await small_ledger(client, app)
    await tamper(
        app.state.container.db,
        "accounts",
        f"UPDATE accounts SET held_minor = 0 WHERE id = {ledger['first']['id']}",
    )
    path, key = await saved(client, app, tmp_path)
    broken = runner.invoke(cli, ["attest", "--file", str(path), "--key", str(key)])
    assert broken.exit_code == 1
    assert "signature: ok" in broken.output
    assert "invariant stored_balances: FAILED (1 problem(s): account" in broken.output
    assert "attestation NOT verified" in broken.output

    clock.advance(minutes=-10)  # issued ten minutes before the wall clock the CLI reads
    stale_path, _ = await saved(client, app, tmp_path)
    stale = runner.invoke(
        cli, ["attest", "--file", str(stale_path), "--key", str(key), "--max-age", "300"]
    )
    assert stale.exit_code == 1
    assert "fresh: FAILED" in stale.output


async def test_a_series_file_and_previous_check_the_links(
    client: httpx.AsyncClient, app: Any, tmp_path: Path
) -> None:
    await small_ledger(client, app)
    ctx = app.state.container.attestation
    rows = [await service.write_attestation(ctx) for _ in range(3)]
    series = tmp_path / "series.json"
    series.write_text(json.dumps([row.model_dump(mode="json") for row in rows]))
    key = tmp_path / "key.json"
    key.write_text(json.dumps((await client.get(KEY)).json()))
    args = ["attest", "--file", str(series), "--key", str(key), "--max-age", "0"]
    walked = runner.invoke(cli, args)
    assert walked.exit_code == 0, walked.output
    assert walked.output.count("previous_hash: ok") == 2

    gap = tmp_path / "gap.json"
    gap.write_text(json.dumps([rows[0].document, rows[2].document]))
    broken = runner.invoke(cli, ["attest", "--file", str(gap), "--key", str(key)])
    assert broken.exit_code == 1
    assert "previous_hash: FAILED" in broken.output

    previous, latest = tmp_path / "previous.json", tmp_path / "latest.json"
    previous.write_text(json.dumps(rows[1].document))
    latest.write_text(json.dumps(rows[2].document))
    linked = runner.invoke(
        cli, ["attest", "--file", str(latest), "--key", str(key), "--previous", str(previous)]
    )
    assert linked.exit_code == 0, linked.output


def test_file_needs_a_key_and_one_source(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text("{}")
    assert runner.invoke(cli, ["attest", "--file", str(path)]).exit_code == 2
    assert runner.invoke(cli, ["attest"]).exit_code == 2


def test_keygen_prints_a_key_and_its_jwk() -> None:
    result = runner.invoke(cli, ["attest", "keygen"])
    assert result.exit_code == 0
    key, jwk = result.output.strip().splitlines()
    assert json.loads(jwk) == Signer.from_text(key).jwk
    assert key not in jwk


# --- --url against a real server -----------------------------------------------------------


@pytest.fixture
def server(database_url: str, db: Any, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """`corebank serve` on the test's database, public attestations, a pinned key."""
    key = "D" * 43
    env = os.environ | {
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "ATTESTATION_SIGNING_KEY": key,
        "ATTESTATION_PUBLIC": "true",
        "RATE_LIMIT_ENABLED": "false",
        "OUTBOX_DISPATCHER_IN_PROCESS": "false",
    }
    env.pop("REDIS_URL", None)
    # the server imports the same corebank as this test process (a source tree, or installed)
    env["PYTHONPATH"] = str(Path(corebank.__file__).resolve().parents[1])
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "corebank.cli", "serve", "--no-migrate", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("corebank serve did not become ready")
        yield base, key
    finally:
        process.terminate()
        process.wait(timeout=20)


async def test_url_fetches_and_verifies_both_ways(
    client: httpx.AsyncClient, app: Any, server: tuple[str, str], tmp_path: Path
) -> None:
    base, key = server
    ledger = await small_ledger(client, app)
    saved_to = tmp_path / "fetched.json"
    good = runner.invoke(cli, ["attest", "--url", base, "--save", str(saved_to)])
    assert good.exit_code == 0, good.output
    assert "fresh: ok" in good.output and "attestation verified" in good.output
    assert json.loads(saved_to.read_text())["key_id"] == Signer.from_text(key).key_id

    pinned = tmp_path / "pinned.json"
    pinned.write_text(json.dumps(Signer.from_text("E" * 43).jwk))  # not the server's key
    wrong = runner.invoke(cli, ["attest", "--url", base, "--key", str(pinned)])
    assert wrong.exit_code == 1
    assert "signature: FAILED" in wrong.output

    await tamper(
        app.state.container.db,
        "accounts",
        f"UPDATE accounts SET balance_minor = 0 WHERE id = {ledger['second']['id']}",
    )
    broken = runner.invoke(cli, ["attest", "--url", base])
    assert broken.exit_code == 1
    assert "invariant stored_balances: FAILED" in broken.output
    assert "signature: ok" in broken.output

    full = runner.invoke(cli, ["attest", "--url", base, "--full"])  # admins only
    assert full.exit_code == 1
    assert "HTTP 401" in full.output


def test_write_stores_one(database_url: str, db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("ENVIRONMENT", "test")
    first = runner.invoke(cli, ["attest", "write"])
    assert first.exit_code == 0, first.output
    assert first.output.startswith("stored attestation 1 hash ")
    assert "(full): ok" in first.output
    second = runner.invoke(cli, ["attest", "write", "--full"])
    assert second.exit_code == 0, second.output
    assert second.output.startswith("stored attestation 2 hash ")
