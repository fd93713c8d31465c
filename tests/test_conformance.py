"""`corebank conformance` against live `corebank serve` processes on both backends: a whole
run passes and cleans up after itself, `--read-only` writes no row, and a deployment that
breaks the contract exits 1 naming the check.

The servers keep the default rate limits, so a pass also shows the suite stays within them.
"""

import asyncio
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis

from tests.support import PG_ADMIN_DSN, REDIS_URL, free_port, unavailable

pytestmark = pytest.mark.slow

ADMIN_EMAIL = "root@example.com"
ADMIN_PASSWORD = "Adm1n-Str0ng-Pass!"
ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Deployment:
    base_url: str
    database_url: str
    env: dict[str, str]


def _pg_database_name() -> str:
    return f"corebank_conf_{os.getpid()}"


def _pg_admin(statement: str) -> None:
    async def run() -> None:
        admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        try:
            await admin.execute(statement)
        finally:
            await admin.close()

    asyncio.run(run())


def _database_url(backend: str, directory: Path) -> str:
    if backend == "sqlite":
        return f"sqlite+aiosqlite:///{directory / 'corebank.db'}"
    name = _pg_database_name()
    try:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_DSN}: {exc}")
    _pg_admin(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


def _environment(backend: str, database_url: str) -> dict[str, str]:
    env = os.environ | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "1024",
        "ARGON2_PARALLELISM": "1",
        "OUTBOX_DISPATCHER_IN_PROCESS": "false",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    }
    env.pop("REDIS_URL", None)
    if backend == "postgresql":
        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).flushdb()
        except redis.RedisError as exc:
            unavailable(f"Redis is unreachable at {REDIS_URL}: {exc}")
        env["REDIS_URL"] = REDIS_URL
    return env


def _cli(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "corebank.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
    )


def _serve(env: dict[str, str], cwd: Path, command: list[str]) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", *command, "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{base} did not become ready")


def _prepared(backend: str, cwd: Path) -> tuple[str, dict[str, str]]:
    database_url = _database_url(backend, cwd)
    env = _environment(backend, database_url)
    for args in (("migrate",), ("create-admin", "--email", ADMIN_EMAIL)):
        result = _cli(env | {"ADMIN_PASSWORD": ADMIN_PASSWORD}, cwd, *args)
        assert result.returncode == 0, result.stderr
    return database_url, env


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    backend = request.param
    cwd = tmp_path_factory.mktemp(f"conformance-{backend}")
    database_url, env = _prepared(backend, cwd)
    command = ["corebank.cli", "serve", "--no-migrate"]
    try:
        for base in _serve(env, cwd, command):
            yield Deployment(base, database_url, env)
    finally:
        if backend == "postgresql":
            _pg_admin(f'DROP DATABASE IF EXISTS "{_pg_database_name()}" WITH (FORCE)')


def _conformance(deployment: Deployment, *args: str, **env: str) -> tuple[int, str]:
    result = _cli(
        deployment.env | env, ROOT, "conformance", "--base-url", deployment.base_url, *args
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout


def _outcomes(stdout: str) -> dict[str, str]:
    return {result["name"]: result["outcome"] for result in json.loads(stdout)["results"]}


def _query(database_url: str, sql: str) -> list[tuple]:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.split("///", 1)[1]) as connection:
            return connection.execute(sql).fetchall()

    async def run() -> list[tuple]:
        dsn = database_url.replace("postgresql+asyncpg://", "postgresql://")
        connection = await asyncpg.connect(dsn)
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    return asyncio.run(run())


def _row_counts(database_url: str) -> dict[str, int]:
    if database_url.startswith("sqlite"):
        listing = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        listing = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    tables = [name for (name,) in _query(database_url, listing)]
    return {
        table: _query(database_url, f'SELECT count(*) FROM "{table}"')[0][0] for table in tables
    }


def test_a_whole_run_passes_and_cleans_up(deployment: Deployment) -> None:
    code, stdout = _conformance(
        deployment,
        "--admin-email",
        ADMIN_EMAIL,
        "--json",
        COREBANK_ADMIN_PASSWORD=ADMIN_PASSWORD,
    )

    report = json.loads(stdout)
    failed = [result for result in report["results"] if result["outcome"] != "pass"]
    assert code == 0
    assert report["ok"] is True
    # HSTS is production's, over https: the only check this http deployment cannot run.
    assert [(result["name"], result["outcome"]) for result in failed] == [("headers.hsts", "skip")]
    assert len(report["results"]) == 34
    assert ADMIN_PASSWORD not in stdout
    assert not any(note.startswith("rate limited") for note in report["notes"])
    prefix = next(note for note in report["notes"] if "prefix" in note).rsplit(" ", 1)[1]
    customers = _query(
        deployment.database_url,
        f"SELECT deleted_at IS NOT NULL FROM customers WHERE email LIKE '{prefix}-%'",
    )
    assert customers == [(True,), (True,)]
    users = _query(
        deployment.database_url,
        f"SELECT deleted_at IS NOT NULL FROM users WHERE email LIKE '{prefix}-%'",
    )
    assert users == [(True,), (True,)]
    accounts = _query(
        deployment.database_url,
        "SELECT a.status, a.balance_minor, a.held_minor FROM accounts a "
        f"JOIN customers c ON c.id = a.customer_id WHERE c.email LIKE '{prefix}-%'",
    )
    assert accounts == [("closed", 0, 0), ("closed", 0, 0)]


def test_read_only_writes_no_row(deployment: Deployment) -> None:
    login = httpx.post(
        f"{deployment.base_url}/api/v1/auth/login",
        json={"username": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
    )
    assert login.status_code == 200
    time.sleep(1)  # the login's own audit rows are sealed off the request path
    before = _row_counts(deployment.database_url)

    code, stdout = _conformance(
        deployment, "--read-only", "--json", COREBANK_ADMIN_TOKEN=login.json()["access_token"]
    )

    outcomes = _outcomes(stdout)
    assert code == 0
    assert outcomes["setup.throwaway_data"] == outcomes["money.reversal_once"] == "skip"
    assert outcomes["auth.token_alg_none"] == outcomes["headers.security"] == "pass"
    assert "fail" not in outcomes.values()
    assert _row_counts(deployment.database_url) == before


def test_a_broken_deployment_exits_1_naming_the_check(tmp_path: Path) -> None:
    database_url, env = _prepared("sqlite", tmp_path)
    # As `corebank serve` runs it (no Server header), so only the deliberate break differs.
    command = ["uvicorn", "--factory", "--no-server-header", "tests.broken_problem_app:create_app"]
    for base in _serve(env, tmp_path, command):
        broken = Deployment(base, database_url, env)
        code, stdout = _conformance(
            broken,
            "--admin-email",
            ADMIN_EMAIL,
            "--read-only",
            COREBANK_ADMIN_PASSWORD=ADMIN_PASSWORD,
        )

    lines = {line.split()[0]: line for line in stdout.splitlines() if line.strip()}
    assert code == 1
    assert "FAIL" in lines["errors.problem_json"]
    assert "GET /api/v1/users/me -> 401" in lines["errors.problem_json"]
    assert (
        "content-type 'application/json', not application/problem+json"
        in (lines["errors.problem_json"])
    )
    assert lines["health.live"].split()[1] == "pass"
    assert lines["headers.security"].split()[1] == "pass"
