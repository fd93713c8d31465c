"""A real PostgreSQL streaming replica of the test cluster serves the lists; when it stops,
reads fall back to the primary and /health/detailed says degraded.

The replica is a base backup (pg_basebackup -R) of the cluster at TEST_POSTGRES_DSN, started
with pg_ctl on a free port in a temporary directory, stopped and removed after the test. The
cluster is not reconfigured: it must already accept replication connections from 127.0.0.1
(docs/deployment.md says how); where it does not, or the tools are missing, the test is skipped
with the reason (a failure under CI=true).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from corebank.container import close_container
from corebank.core.db import Database
from corebank.main import create_app
from tests.core.test_replica_routing import routed, routed_since
from tests.customers.helpers import URL as CUSTOMERS
from tests.customers.helpers import payload
from tests.support import PG_ADMIN_DSN, free_port, login_as, test_settings, unavailable

#: Settings a hot standby must have at least as high as its primary.
STANDBY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
REPLAY_TIMEOUT_SECONDS = 30.0


def _pg_tool(name: str, major: int) -> str | None:
    """The cluster's own version of a PostgreSQL program (Debian keeps them per version,
    pg_ctl off PATH), else the one on PATH."""
    versioned = f"/usr/lib/postgresql/{major}/bin/{name}"
    return versioned if os.access(versioned, os.X_OK) else shutil.which(name)


def _as_postgres() -> list[str]:
    """The prefix that runs a server program as the `postgres` user when we are root (the
    server refuses to run as root)."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        unavailable("running as root without runuser: cannot start a PostgreSQL server")
    return [str(runuser), "-u", "postgres", "--"]


async def _primary_settings() -> dict[str, str]:
    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    try:
        names = ("wal_level", "server_version_num", *STANDBY_MINIMUMS)
        rows = await admin.fetch(
            "SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])", list(names)
        )
    finally:
        await admin.close()
    return {row["name"]: row["setting"] for row in rows}


def _run(command: list[str], *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def _base_backup(tool: str, prefix: list[str], data: Path) -> None:
    primary = urlsplit(PG_ADMIN_DSN)
    backup = _run(
        [
            *prefix,
            tool,
            f"--host={primary.hostname or '127.0.0.1'}",
            f"--port={primary.port or 5432}",
            f"--username={primary.username or 'postgres'}",
            f"--pgdata={data}",
            "--wal-method=stream",
            "--write-recovery-conf",
            "--checkpoint=fast",
            "--no-sync",
        ]
    )
    if backup.returncode != 0:
        reason = backup.stderr.strip().splitlines()[-1] if backup.stderr.strip() else "failed"
        unavailable(
            f"pg_basebackup could not copy the test cluster ({reason}); allow replication "
            "from 127.0.0.1 in its pg_hba.conf (docs/deployment.md, Read replicas)"
        )


def _configure_standby(data: Path, primary: dict[str, str]) -> None:
    """The server's own files: Debian keeps postgresql.conf and pg_hba.conf outside the data
    directory, so the backup has none. The port, address and socket directory are given on
    the command line, which outranks anything the backup's postgresql.auto.conf says."""
    lines = [f"{name} = {primary[name]}" for name in STANDBY_MINIMUMS if name in primary]
    lines += ["hot_standby = on", "fsync = off", "shared_buffers = 16MB"]
    (data / "postgresql.conf").write_text("\n".join(lines) + "\n")
    (data / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (data / "pg_ident.conf").write_text("")


def _chown_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        _run(["chown", "-R", "postgres:postgres", str(path)])


@dataclass(frozen=True)
class StreamingReplica:
    url: str
    pg_ctl: list[str]
    data: Path

    def stop(self) -> None:
        """Stop it as a crash would (pg_ctl stop -m immediate)."""
        if (self.data / "postmaster.pid").exists():
            _run([*self.pg_ctl, "-D", str(self.data), "-m", "immediate", "-w", "stop"])


@pytest.fixture
async def streaming_replica(postgres_url: str | None) -> AsyncIterator[StreamingReplica]:
    """The test database on a streaming replica of the cluster, removed afterwards."""
    if postgres_url is None:
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_DSN}")
    assert postgres_url is not None
    primary = await _primary_settings()
    if primary.get("wal_level") == "minimal":
        unavailable("the test cluster runs with wal_level=minimal: it cannot feed a replica")
    major = int(primary["server_version_num"]) // 10000
    basebackup, pg_ctl = _pg_tool("pg_basebackup", major), _pg_tool("pg_ctl", major)
    if basebackup is None or pg_ctl is None:
        unavailable("pg_basebackup and pg_ctl are needed to start a streaming replica")
    assert basebackup is not None and pg_ctl is not None
    prefix = _as_postgres()
    root = Path(tempfile.mkdtemp(prefix="corebank-replica-"))
    data, log, port = root / "data", root / "server.log", free_port()
    replica = StreamingReplica(
        url=postgres_url.replace(f":{urlsplit(postgres_url).port}/", f":{port}/"),
        pg_ctl=[*prefix, pg_ctl],
        data=data,
    )
    try:
        _chown_to_postgres(root)
        _base_backup(basebackup, prefix, data)
        _configure_standby(data, primary)
        _chown_to_postgres(root)
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root}"
        start = ["-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"]
        started = _run([*replica.pg_ctl, *start])
        assert started.returncode == 0, started.stderr + log.read_text(errors="replace")
        yield replica
    finally:
        replica.stop()
        shutil.rmtree(root, ignore_errors=True)


async def _until(condition: Any, *, what: str) -> None:
    """Poll `condition()` (async, truthy when met) for up to REPLAY_TIMEOUT_SECONDS."""
    deadline = asyncio.get_running_loop().time() + REPLAY_TIMEOUT_SECONDS
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


@pytest.fixture
async def replicated_app(
    postgres_url: str, streaming_replica: StreamingReplica
) -> AsyncIterator[Any]:
    settings = test_settings(
        postgres_url,
        database_replica_url=streaming_replica.url,
        replica_retry_seconds=0.5,
        replica_timeout_seconds=2,
    )
    database = Database(settings)
    app = create_app(settings, database=database)
    yield app
    await close_container(app.state.container)
    await database.dispose()


async def _replica_accepts(url: str) -> bool:
    dsn = url.replace("postgresql+asyncpg://", "postgresql://")
    try:
        connection = await asyncpg.connect(dsn, timeout=2)
    except (OSError, asyncpg.PostgresError):
        return False
    await connection.close()
    return True


async def test_a_streaming_replica_serves_lists_and_its_loss_falls_back_to_the_primary(
    replicated_app: Any, streaming_replica: StreamingReplica
) -> None:
    app = replicated_app
    db: Database = app.state.container.db
    await _until(lambda: _replica_accepts(streaming_replica.url), what="the replica")
    in_recovery = await db.replica_read(
        lambda session: session.scalar(text("SELECT pg_is_in_recovery()"))
    )
    assert in_recovery is True  # replica_read really reached the standby
    assert await db.replica_read(lambda s: s.scalar(text("SELECT current_setting('port')"))) != (
        str(urlsplit(PG_ADMIN_DSN).port or 5432)
    )

    _, staff = await login_as(app, "staff")  # written on the primary, checked on the primary
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as writer,
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as reader,
    ):
        created = await writer.post(CUSTOMERS, headers=staff, json=payload(first_name="Rosalind"))
        assert created.status_code == 201
        new_id = created.json()["id"]

        before = routed()
        own = await writer.get(CUSTOMERS, headers=staff)  # right after its write: the primary
        assert new_id in [item["id"] for item in own.json()["items"]]
        assert routed_since(before) == {"primary": 1, "replica": 0, "fallback": 0}

        async def replica_lists_it() -> bool:
            listed = await reader.get(CUSTOMERS, headers=staff)
            assert listed.status_code == 200
            return new_id in [item["id"] for item in listed.json()["items"]]

        before = routed()
        await _until(replica_lists_it, what="the new customer to reach the replica")
        counted = routed_since(before)
        assert counted["replica"] >= 1 and counted["primary"] == counted["fallback"] == 0

        streaming_replica.stop()
        before = routed()
        listed = await reader.get(CUSTOMERS, headers=staff)
        assert listed.status_code == 200
        assert new_id in [item["id"] for item in listed.json()["items"]]
        assert routed_since(before) == {"primary": 0, "replica": 0, "fallback": 1}
        health = (await reader.get("/health/detailed")).json()
        assert health["status"] == "degraded"
        assert health["dependencies"]["replica"]["status"] == "down"
        assert health["dependencies"]["database"]["status"] == "ok"
