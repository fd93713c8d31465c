"""The corebank command: version, migrate, create-admin, audit verify and seal."""

import io
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from corebank import __version__
from corebank.cli import app
from corebank.cli.common import progress, shows_progress
from tests.support import test_settings

runner = CliRunner()


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.setenv("ARGON2_MEMORY_COST", "1024")
    monkeypatch.setenv("ARGON2_TIME_COST", "1")
    monkeypatch.setenv("ARGON2_PARALLELISM", "1")
    monkeypatch.chdir(tmp_path)
    return path


def test_every_command_has_help() -> None:
    commands = ([], ["serve"], ["migrate"], ["create-admin"], ["version"], ["audit", "verify"])
    for args in (*commands, ["audit", "seal"]):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)
        assert "Usage" in result.output


def test_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.output.strip() == __version__


def test_migrate_reports_each_migration_it_applies(sqlite_env: Path) -> None:
    first = runner.invoke(app, ["migrate"])
    again = runner.invoke(app, ["migrate"])
    assert first.exit_code == again.exit_code == 0
    assert "Running upgrade  -> 0001, foundation" in first.output
    assert first.output.endswith("database is at the newest migration\n")
    assert "Running upgrade" not in again.output
    assert "database is at the newest migration" in again.output


def test_migrate_then_create_admin_then_verify(sqlite_env: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    assert sqlite_env.exists()
    args = ["create-admin", "--email", "Root@Example.com", "--password", "Adm1n-Str0ng-Pass!"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "created" in first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 1
    assert "already exists" in second.output
    verify = runner.invoke(app, ["audit", "verify"])
    assert verify.exit_code == 0, verify.output
    # the command sealed the row it wrote before it exited
    assert "checked 1 sealed audit rows, 0 pending: ok" in verify.output


def test_audit_seal_seals_what_waits_and_verify_counts_it_as_pending_until_then(
    sqlite_env: Path,
) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    with closing(sqlite3.connect(sqlite_env)) as connection:  # a process that then died
        connection.execute(
            "INSERT INTO audit_events (occurred_at, action) VALUES ('2026-12-07 10:00:00', 'x')"
        )
        connection.commit()
    before = runner.invoke(app, ["audit", "verify"])
    assert before.exit_code == 0, before.output
    assert "checked 0 sealed audit rows, 1 pending: ok" in before.output
    sealed = runner.invoke(app, ["audit", "seal"])
    assert sealed.exit_code == 0, sealed.output
    assert "sealed 1 audit rows" in sealed.output
    after = runner.invoke(app, ["audit", "verify"])
    assert "checked 1 sealed audit rows, 0 pending: ok" in after.output


def test_create_admin_applies_the_password_policy(sqlite_env: Path) -> None:
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    weak = runner.invoke(app, ["create-admin", "--email", "a@example.com", "--password", "admin"])
    assert weak.exit_code == 2
    assert "refused" in weak.output


def test_production_refuses_to_start_without_a_secret(
    sqlite_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 2
    assert "SECRET_KEY is not set" in result.output


@pytest.mark.parametrize(("args", "loop"), [([], "auto"), (["--loop", "asyncio"], "asyncio")])
def test_serve_runs_uvicorn_on_the_event_loop_it_is_given(
    sqlite_env: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], loop: str
) -> None:
    import uvicorn

    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *_, **options: started.update(options))
    monkeypatch.delenv("SECRET_KEY", raising=False)  # serve sets one; undone after the test
    result = runner.invoke(app, ["serve", "--no-migrate", *args])
    assert result.exit_code == 0, result.output
    assert started["loop"] == loop
    assert started["factory"] is True


def test_generate_mfa_key_prints_a_usable_key() -> None:
    from corebank.config import parse_mfa_keys as parse_keys
    from corebank.identity.secretbox import SecretBox

    result = runner.invoke(app, ["generate-mfa-key", "--key-id", "2026a"])
    assert result.exit_code == 0
    value = result.output.strip()
    assert value.startswith("2026a:")
    box = SecretBox(parse_keys(value))
    assert box.open(*box.seal("JBSWY3DPEHPK3PXP")) == "JBSWY3DPEHPK3PXP"


def test_configuration_errors_never_echo_the_input(monkeypatch: Any) -> None:
    secret = "Zq8!" + "mK3#pL9$vB2&" * 3
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", secret)
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 2
    assert "ALLOWED_HOSTS" in result.output and "MFA_ENCRYPTION_KEY" in result.output
    assert secret not in result.output and "mK3#" not in result.output


class Terminal(io.StringIO):
    """What a person's terminal looks like to the progress helper."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("log_format", "stream", "environ", "shown"),
    [
        ("console", Terminal(), {}, True),
        ("console", Terminal(), {"CI": "false"}, True),
        ("console", Terminal(), {"CI": "true"}, False),
        ("console", Terminal(), {"CI": "1"}, False),
        ("console", io.StringIO(), {}, False),  # a pipe or a file
        ("json", Terminal(), {}, False),
    ],
)
def test_progress_only_on_a_terminal_with_console_logs_outside_ci(
    log_format: str, stream: io.StringIO, environ: dict[str, str], shown: bool
) -> None:
    settings = test_settings("sqlite+aiosqlite://", log_format=log_format)
    assert shows_progress(settings, stream=stream, environ=environ) is shown


def test_progress_counts_on_a_terminal_and_writes_nothing_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CI", raising=False)
    settings = test_settings("sqlite+aiosqlite://", log_format="console")
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        with progress(settings, "ledger verify", unit="rows checked", stream=stream) as advance:
            advance(1000)
            advance(234)
    assert "ledger verify: 1,234 rows checked" in terminal.getvalue()
    assert pipe.getvalue() == ""


async def test_periodic_runs_its_job_each_interval_and_survives_a_failure() -> None:
    """`corebank worker`'s SWEEP_INTERVAL_SECONDS: the job runs again after a failed run, and
    stops with the block; no interval, no job."""
    import asyncio

    from corebank.cli.common import periodic

    runs: list[int] = []
    third = asyncio.Event()

    async def job() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("database down")
        if len(runs) == 3:
            third.set()

    async with periodic(job, 0.01, name="test"):
        await asyncio.wait_for(third.wait(), timeout=5)
    stopped = len(runs)
    await asyncio.sleep(0.05)
    assert len(runs) == stopped >= 3
    async with periodic(job, None, name="test"):
        await asyncio.sleep(0.03)
    assert len(runs) == stopped


def test_conformance_counts_each_check_for_its_progress_line() -> None:
    """`corebank conformance` has no service settings: a terminal outside CI shows its count of
    checks (one per result, whatever the outcome); a pipe or CI shows nothing."""
    from corebank.conformance.results import CheckFailed, Outcome, Report

    assert shows_progress(None, stream=Terminal(), environ={}) is True
    assert shows_progress(None, stream=Terminal(), environ={"CI": "true"}) is False
    assert shows_progress(None, stream=io.StringIO(), environ={}) is False
    counted: list[int] = []
    report = Report(on_check=counted.append)
    with report.check("passes"):
        pass
    with report.check("fails"):
        raise CheckFailed("wrong", None)
    report.skip("skipped", "read-only")
    assert counted == [1, 1, 1]
    assert [r.outcome for r in report.results] == [
        Outcome.passed,
        Outcome.failed,
        Outcome.skipped,
    ]
