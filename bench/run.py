"""The corebank benchmark suite: one command, every scenario, its baselines and the ratios.

    .venv/bin/python -m bench.run                 # full run (PostgreSQL), ~30 min
    .venv/bin/python -m bench.run --quick         # fewer connection counts, shorter, ~7 min
    .venv/bin/python -m bench.run --shapes 1      # reads and transfers with 1 worker only
    .venv/bin/python -m bench.run --workers 2     # every phase with 2 workers (app and bare)

It creates a dedicated PostgreSQL database (dropped at the end unless --keep-db), migrates
it, seeds it directly (bench/seed.py), starts `corebank serve` (rate limits off, outbox
dispatcher off, LOG_LEVEL=WARNING, a SECRET_KEY generated per run) and the baseline app
(bench/baseline_app.py: the bare app, and the same endpoints behind corebank's middleware
stack) on the same server and worker count, and drives each scenario with wrk from a
separate process. The reads and transfers run once per shape (`--shapes`, default 1 and 2
workers, app and baselines alike); the other phases, and the targets, use the first.
Transfers are compared with pgbench running the same SQL transaction, logins with the raw
Argon2 verify rate, and `corebank ledger verify` runs after every transfer scenario (any
violation fails the run). The summary goes to stdout and to
bench/results/latest.md; every number is in bench/results/<run>/results.json.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from bench import machine, report, seed
from bench.procs import CpuMeter, Server, rss_mb
from bench.wrk import LoadResult, run_pgbench, run_wrk, write_scripts
from corebank.cli.common import progress
from corebank.config import Settings
from corebank.core.api import API_PREFIX
from corebank.serving import DEFAULT_EVENT_LOOP, EventLoop

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
VENV_BIN = Path(sys.executable).parent


PHASES = ("reads", "transfers", "logins", "mixed", "memory", "logcost", "knobs", "profile")
#: Run once per deployment shape (worker count); the other phases run on the first shape.
SHAPED_PHASES = ("reads", "transfers")
DEFAULT_SHAPES = (1, 2)
DEFAULT_PHASES = ("reads", "transfers", "logins", "mixed", "memory", "logcost", "knobs")
QUICK_PHASES = ("reads", "transfers", "logins", "mixed", "memory")


class BenchFailure(RuntimeError):
    """A failed invariant (ledger verify) or a broken run: the suite exits non-zero."""


@dataclass(frozen=True)
class Plan:
    """How long and how wide each phase runs."""

    seconds: float = 8.0
    warmup: float = 2.0
    read_connections: tuple[int, ...] = (1, 16, 64)
    transfer_connections: tuple[int, ...] = (1, 16, 64)
    login_seconds: dict[int, float] = field(default_factory=lambda: {1: 10.0, 16: 15.0, 64: 20.0})
    mixed_seconds: float = 30.0
    think_ms: int = 1000
    memory_requests: int = 100_000
    hash_seconds: float = 10.0


FULL = Plan()
QUICK = Plan(
    seconds=4.0,
    warmup=1.5,
    read_connections=(1, 64),
    transfer_connections=(16,),
    login_seconds={1: 4.0, 64: 10.0},
    mixed_seconds=8.0,
    memory_requests=5_000,
    hash_seconds=4.0,
)


def say(message: str) -> None:
    sys.stdout.write(f"[{datetime.now().strftime('%H:%M:%S')}] {message}\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Bench:
    """One run: database, servers, scenarios, results."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.plan = QUICK if args.quick else FULL
        if args.seconds:
            self.plan = replace(self.plan, seconds=args.seconds)
        if args.memory_requests:
            self.plan = replace(self.plan, memory_requests=args.memory_requests)
        if args.think_ms is not None:
            self.plan = replace(self.plan, think_ms=args.think_ms)
        self.phases = (
            [p.strip() for p in args.phases.split(",")]
            if args.phases
            else list(DEFAULT_PHASES if not args.quick else DEFAULT_PHASES[:-1])
        )
        if args.profile and "profile" not in self.phases:
            self.phases.append("profile")
        unknown = set(self.phases) - set(PHASES)
        if unknown:
            raise SystemExit(f"unknown phase(s): {', '.join(sorted(unknown))}")
        self.shapes = shapes_of(args)
        self.workers = self.shapes[0]  # the worker count of the servers running now
        self.started = datetime.now(UTC)
        stamp = self.started.strftime("%Y%m%d-%H%M%S")
        label = "+".join(str(w) for w in self.shapes)
        self.run_dir = RESULTS_DIR / f"run-{stamp}-{args.backend}-w{label}"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.secret = secrets.token_urlsafe(48)
        self.mfa_key = "bench:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        self.dbname = args.db_name
        pg = f"{args.pg_user}@{args.pg_host}:{args.pg_port}"
        self.admin_dsn = f"postgresql://{pg}/postgres"
        if args.backend == "postgres":
            self.dsn = f"postgresql://{pg}/{self.dbname}"
            self.database_url = f"postgresql+asyncpg://{pg}/{self.dbname}"
        else:
            path = self.run_dir / "bench.db"
            self.dsn = f"sqlite:{path}"
            self.database_url = f"sqlite+aiosqlite:///{path}"
        self.app_port, self.base_port = free_port(), free_port()
        self.app_url = f"http://127.0.0.1:{self.app_port}"
        self.base_url = f"http://127.0.0.1:{self.base_port}"
        self.results: list[LoadResult] = []
        self.verify: list[dict[str, str]] = []
        self.notes: list[str] = []
        self.memory: dict[str, Any] | None = None
        self.app: Server | None = None
        self.baseline: Server | None = None
        self.json_bytes = 400  # the account response's size, once the app has answered
        self.scripts: dict[str, Path] = {}
        self.data: seed.LoadData | None = None
        self.start_rss = 0.0
        self.profiles: dict[str, str] = {}
        self.machine: dict[str, Any] = {}
        self.round_trips: dict[str, int] = {}
        self.gc_heap: dict[str, Any] = {}

    # --- environment ---------------------------------------------------------------------

    @property
    def postgres(self) -> bool:
        return self.args.backend == "postgres"

    def app_env(self, **overrides: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key in {"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"}
        }
        env.update(
            {
                "ENVIRONMENT": "production",
                "DATABASE_URL": self.database_url,
                "SECRET_KEY": self.secret,
                # production refuses to start without these (wrk and the probes send Host
                # 127.0.0.1); the bench's sessions are seeded, so no login meets the
                # staff second-factor rule
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "MFA_ENCRYPTION_KEY": self.mfa_key,
                "RATE_LIMIT_ENABLED": "false",
                "OUTBOX_DISPATCHER_IN_PROCESS": "false",
                "LOG_LEVEL": "WARNING",
                # one process per shape's worker, no Redis: the session cache is on for one
                # worker (this says so explicitly) and turned off by `serve --workers 2`
                "SESSION_CACHE_ENABLED": "true",
                "PYTHONPATH": str(ROOT),
            }
        )
        env.update(dict(item.split("=", 1) for item in self.args.app_env))
        env.update(overrides)
        return env

    def server_env(self, **overrides: str) -> dict[str, str]:
        """The app server's environment; with --gc-watch, GC pauses are recorded too."""
        env = self.app_env(**overrides)
        if self.args.gc_watch:
            env["PYTHONPATH"] = f"{BENCH_DIR / 'gcwatch'}{os.pathsep}{ROOT}"
            env["BENCH_GC_LOG"] = str(self.run_dir / "gc.json")
        return env

    def gc_stats(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in sorted(self.run_dir.glob("gc.json.*"))]

    def settings(self) -> Settings:
        return Settings(_env_file=None, database_url=self.database_url)  # type: ignore[call-arg]

    def corebank(self, *argv: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [str(VENV_BIN / "corebank"), *argv],
            env=env or self.app_env(),
            cwd=self.run_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BenchFailure(
                f"corebank {' '.join(argv)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
            )
        return done.stdout.strip()

    # --- setup and teardown --------------------------------------------------------------

    async def _recreate_db(self, *, create: bool) -> None:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
            if create:
                await conn.execute(f'CREATE DATABASE "{self.dbname}"')
        finally:
            await conn.close()

    def setup(self) -> None:
        self.machine = machine.describe(self.admin_dsn if self.postgres else None)
        if self.postgres:
            say(f"creating database {self.dbname}")
            asyncio.run(self._recreate_db(create=True))
        self.corebank("migrate")
        say("seeding (direct SQL)")
        t0 = time.monotonic()
        rows, self.data = seed.build(
            seed.SeedPlan(), settings=self.settings(), secret_key=self.secret
        )
        with progress(self.settings(), "seeding", unit="rows written") as advance:
            if self.postgres:
                asyncio.run(seed.write_postgres(self.dsn, rows, progress=advance))
            else:
                seed.write_sqlite(self.dsn.removeprefix("sqlite:"), rows, progress=advance)
        say(f"seeded {self.data.counts} in {time.monotonic() - t0:.1f} s")
        self.notes.append(
            f"seeded {self.data.counts} in {time.monotonic() - t0:.1f} s "
            "(one Argon2 hash shared by every user)"
        )
        self.verify_ledger("seeding")
        self.scripts = write_scripts(self.run_dir / "lua", self.data)
        self.app = self.start_app()
        self.start_rss = sum(rss_mb(self.app.worker_pids()).values())
        body = self.fetch("/api/v1/accounts/1", token=self.data.staff_tokens[0])
        self.notes.append(
            f"account response body: {len(body)} bytes (the bare JSON baseline's size)"
        )
        self.json_bytes = len(body)
        self.baseline = self.start_baseline()
        if self.postgres:
            self.trace_sql()
        done = subprocess.run(
            [sys.executable, "-m", "bench.gcheap"],
            env=self.app_env(),
            cwd=self.run_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode == 0:
            self.gc_heap = json.loads(done.stdout.strip().splitlines()[-1])

    def trace_sql(self) -> None:
        """Statements per request of each scenario (bench/sqltrace.py), in-process."""
        assert self.data is not None
        token, own, _ = self.data.customer_tokens[0]
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.sqltrace",
                "--staff-token",
                self.data.staff_tokens[0],
                "--customer-token",
                token,
                "--customer-account",
                str(own),
                "--account",
                str(self.data.accounts // 2),
                "--busy-account",
                "1",
                "--term",
                self.data.search_terms[0],
                "--login-email",
                self.data.login_emails[-1],
                "--password",
                self.data.password,
            ],
            env=self.app_env(),
            cwd=self.run_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            self.notes.append(f"sqltrace failed: {done.stderr.strip()[-300:]}")
            return
        traced = json.loads(done.stdout.strip().splitlines()[-1])
        from bench.sqltrace import markdown as trace_markdown

        (self.run_dir / "sql-trace.md").write_text(trace_markdown(traced))
        self.round_trips = {name: len(statements) for name, statements in traced.items()}
        say(f"statements per request: {self.round_trips}")

    def start_baseline(self) -> Server:
        """The baseline app (bare, and behind the stack) with the current worker count."""
        settings = self.settings()
        server = Server(
            "baseline",
            [
                sys.executable,
                "-m",
                "bench.baseline_app",
                "--port",
                str(self.base_port),
                "--workers",
                str(self.workers),
                "--loop",
                self.args.loop,
            ],
            env={
                **self.app_env(),
                "BENCH_BASELINE_DSN": self.dsn,
                "BENCH_BASELINE_POOL": str(settings.db_pool_size + settings.db_max_overflow),
                "BENCH_JSON_BYTES": str(self.json_bytes),
            },
            cwd=self.run_dir,
            log=self.run_dir / "baseline.log",
        )
        server.start(f"{self.base_url}/json")
        return server

    def switch_shape(self, workers: int) -> None:
        """Restart the app and the baseline with `workers` workers each."""
        for server in (self.app, self.baseline):
            if server:
                server.stop()
        self.workers = workers
        say(f"--- {workers} worker(s): restarting the app and the baseline")
        self.app = self.start_app()
        self.start_rss = sum(rss_mb(self.app.worker_pids()).values())
        self.baseline = self.start_baseline()

    def start_app(self, **env: str) -> Server:
        server = Server(
            "corebank",
            [
                str(VENV_BIN / "corebank"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.app_port),
                "--workers",
                str(self.workers),
                "--loop",
                self.args.loop,
                "--no-migrate",
            ],
            env=self.server_env(**env),
            cwd=self.run_dir,
            log=self.run_dir / "server.log",
        )
        server.start(f"{self.app_url}/health")
        return server

    def teardown(self) -> None:
        for server in (self.app, self.baseline):
            if server:
                server.stop()
        if self.postgres and not self.args.keep_db:
            asyncio.run(self._recreate_db(create=False))

    def fetch(self, path: str, *, token: str) -> bytes:
        request = urllib.request.Request(
            self.app_url + path, headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as reply:
            return bytes(reply.read())

    # --- measuring -----------------------------------------------------------------------

    def meter(self) -> CpuMeter:
        return CpuMeter(
            dbname=self.dbname if self.postgres else "bench.db",
            server_pids=self.app.pids if self.app else set,
            baseline_pids=self.baseline.pids if self.baseline else set,
        )

    def record(self, result: LoadResult) -> None:
        """Keep a result, labelled with the worker count of the servers it measured."""
        result.workers = self.workers
        self.results.append(result)

    def label(self, name: str) -> str:
        """`name` on the progress lines, with the shape when the run has several."""
        return f"{name} w{self.workers}" if len(self.shapes) > 1 else name

    def load(
        self,
        name: str,
        *,
        script: str,
        connections: int,
        seconds: float,
        url: str | None = None,
        warmup: float | None = None,
        args: dict[str, str | int] | None = None,
        record: bool = True,
    ) -> LoadResult:
        target = url or self.app_url
        wargs = {"prefix": f"{name}{connections}-{secrets.token_hex(3)}", **(args or {})}
        warm = self.plan.warmup if warmup is None else warmup
        if warm > 0:
            run_wrk(
                name=name,
                url=target,
                script=self.scripts[script],
                connections=connections,
                seconds=warm,
                args={**wargs, "prefix": wargs["prefix"] + "w"},
            )
        result = run_wrk(
            name=name,
            url=target,
            script=self.scripts[script],
            connections=connections,
            seconds=seconds,
            meter=self.meter(),
            args=wargs,
        )
        if record:
            self.record(result)
        say(
            f"{self.label(name):24} c{connections:<3} {result.rps:9.1f} req/s  "
            f"p50 {result.p50_ms:7.2f}  p99 {result.p99_ms:8.2f} ms  "
            f"errors {result.errors}  refused {result.refusals}"
        )
        return result

    def free_connection_slots(self) -> int:
        """Connections PostgreSQL still accepts now (the app's and baseline's pools hold some)."""

        async def query() -> int:
            conn = await asyncpg.connect(self.admin_dsn)
            try:
                return int(
                    await conn.fetchval(
                        "SELECT current_setting('max_connections')::int"
                        " - (SELECT count(*) FROM pg_stat_activity"
                        "    WHERE backend_type = 'client backend')"
                    )
                )
            finally:
                await conn.close()

        return asyncio.run(query())

    def pgbench(self, name: str, *, script: str, connections: int, hot: bool) -> None:
        # At most what PostgreSQL still accepts beside the app's and the baseline's pools
        # (less a margin for psql and verify); the report's row says when that was fewer.
        clients = min(connections, self.free_connection_slots() - 4)
        result = run_pgbench(
            name=name,
            dbname=self.dbname,
            script=BENCH_DIR / script,
            connections=clients,
            seconds=self.plan.seconds,
            variables={
                "naccounts": self.data.accounts if self.data else 0,
                "nhot": len(self.data.hot_accounts) if self.data else 0,
                "hot": int(hot),
                "prefix": f"pgb{connections}{secrets.token_hex(3)}",
            },
            log_dir=self.run_dir / "pgbench",
            meter=self.meter(),
            host=self.args.pg_host,
            port=self.args.pg_port,
            user=self.args.pg_user,
        )
        if clients < connections:
            result.connections = connections  # compared with the app at the same c
            result.note = f"{clients} pgbench clients (max_connections)"
        self.record(result)
        say(
            f"{self.label(name):24} c{connections:<3} {result.rps:9.1f} tx/s   "
            f"p50 {result.p50_ms:7.2f}  p99 {result.p99_ms:8.2f} ms  failed {result.errors}"
        )

    def verify_ledger(self, after: str) -> None:
        done = subprocess.run(
            [str(VENV_BIN / "corebank"), "ledger", "verify", "--batch", "20000"],
            env=self.app_env(),
            cwd=self.run_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        summary = (done.stdout.strip().splitlines() or [""])[-1]
        self.verify.append({"after": after, "output": summary})
        if done.returncode != 0:
            sys.stderr.write(done.stderr + done.stdout)
            raise BenchFailure(f"corebank ledger verify FAILED after {after}: {summary}")
        say(f"ledger verify after {after}: {summary}")

    # --- phases --------------------------------------------------------------------------

    def reads(self) -> None:
        s = self.plan.seconds
        stack = {"base": API_PREFIX}  # the baseline app's endpoints behind corebank's stack
        for c in self.plan.read_connections:
            self.load(
                "baseline_json",
                script="static",
                connections=c,
                seconds=s,
                url=f"{self.base_url}/json",
            )
            self.load(
                "baseline_stack_json",
                script="static",
                connections=c,
                seconds=s,
                url=f"{self.base_url}{API_PREFIX}/json",
            )
            self.load(
                "health", script="static", connections=c, seconds=s, url=f"{self.app_url}/health"
            )
            self.load(
                "baseline_read", script="baseline_read", connections=c, seconds=s, url=self.base_url
            )
            self.load(
                "baseline_stack_read",
                script="baseline_read",
                connections=c,
                seconds=s,
                url=self.base_url,
                args=stack,
            )
            self.load("account_staff", script="account_staff", connections=c, seconds=s)
            self.load("account_customer", script="account_customer", connections=c, seconds=s)
            self.load("transactions", script="transactions", connections=c, seconds=s)
            self.load("search", script="search", connections=c, seconds=s)

    def transfers(self) -> None:
        s = self.plan.seconds
        for c in self.plan.transfer_connections:
            for mix in ("uniform", "hot"):
                if self.postgres:
                    self.pgbench(
                        f"pgbench_{mix}",
                        script="pgbench_transfer.sql",
                        connections=c,
                        hot=mix == "hot",
                    )
                self.load(
                    f"transfer_{mix}",
                    script="transfer",
                    connections=c,
                    seconds=s,
                    args={"mix": mix},
                )
                self.verify_ledger(f"transfer_{mix} c{c}")
            if self.postgres and c == 16:
                self.pgbench(
                    "pgbench_minimal",
                    script="pgbench_transfer_minimal.sql",
                    connections=c,
                    hot=False,
                )

    def hash_rate(self) -> None:
        for threads in (1, 2):
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.hashrate",
                    "--seconds",
                    str(self.plan.hash_seconds),
                    "--threads",
                    str(threads),
                ],
                env=self.app_env(),
                cwd=self.run_dir,
                capture_output=True,
                text=True,
                check=True,
            )
            raw = json.loads(done.stdout.strip().splitlines()[-1])
            name = "hash_1thread" if threads == 1 else "hash_2threads"
            self.record(
                LoadResult(
                    name=name,
                    connections=threads,
                    seconds=raw["seconds"],
                    requests=raw["verifies"],
                    rps=raw["per_second"],
                    p50_ms=0.0,
                    p95_ms=0.0,
                    p99_ms=0.0,
                    max_ms=0.0,
                    errors=0,
                    note=f"t={raw['time_cost']}, m={raw['memory_kib']} KiB, p={raw['parallelism']}",
                )
            )
            say(f"{name:18} {raw['per_second']:.2f} verifies/s")

    def drain(self, seconds: float) -> None:
        """Let queued logins finish (wrk closes its connections; the server keeps hashing)."""
        time.sleep(seconds)

    def logins(self) -> None:
        self.hash_rate()
        for c, seconds in self.plan.login_seconds.items():
            if c == 64:
                self.storm(seconds)
                continue
            result = self.load("login", script="login", connections=c, seconds=seconds, warmup=0)
            self.drain(min(30.0, c / max(result.rps, 0.5) + 2))

    def storm(self, seconds: float, *, suffix: str = "") -> None:
        """The /health probe alone, then during a login storm at 64 connections."""
        probe = {"every_ms": 10}
        health = f"{self.app_url}/health"
        self.load(
            f"probe_idle{suffix}",
            script="probe",
            connections=1,
            seconds=seconds,
            warmup=0,
            url=health,
            args=probe,
        )
        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(
                run_wrk,
                name=f"probe_storm{suffix}",
                url=health,
                script=self.scripts["probe"],
                connections=1,
                seconds=seconds,
                args=probe,
            )
            result = self.load(
                f"login{suffix}", script="login", connections=64, seconds=seconds, warmup=0
            )
            storm = future.result()
        self.record(storm)
        say(
            f"probe_storm{suffix:8} p50 {storm.p50_ms:.2f}  p99 {storm.p99_ms:.2f} ms "
            f"(max {storm.max_ms:.1f})"
        )
        self.drain(min(40.0, 64 / max(result.rps, 0.5) + 2))

    def mixed(self) -> None:
        self.load(
            "mixed_think",
            script="mixed_think",
            connections=100,
            seconds=self.plan.mixed_seconds,
            args={"think_ms": self.plan.think_ms},
        )
        self.load(
            "mixed_saturated", script="mixed", connections=100, seconds=self.plan.mixed_seconds
        )

    def memory_growth(self) -> None:
        """RSS per worker before and after N requests of the memory mix (after warm-up)."""
        assert self.app is not None
        workers = self.app.worker_pids()
        warm = self.load(
            "memory_warmup",
            script="memory",
            connections=64,
            seconds=max(5.0, self.plan.warmup * 3),
            warmup=0,
            record=False,
        )
        before = rss_mb(workers)
        # 10% over the warm-up's rate: the measured run is often a little slower, and the
        # target is growth over at least `memory_requests`.
        seconds = 1.1 * self.plan.memory_requests / max(warm.rps, 1.0)
        samples: list[tuple[float, float]] = []
        with ThreadPoolExecutor(max_workers=1) as pool:
            future = pool.submit(
                run_wrk,
                name="memory_mixed",
                url=self.app_url,
                script=self.scripts["memory"],
                connections=64,
                seconds=seconds,
                meter=self.meter(),
                args={"prefix": f"mem{secrets.token_hex(3)}"},
            )
            t0 = time.monotonic()
            while not future.done():
                samples.append((time.monotonic() - t0, sum(rss_mb(workers).values())))
                time.sleep(min(5.0, max(1.0, seconds / 20)))
            result = future.result()
        self.record(result)
        after = rss_mb(workers)
        growth = [100 * (after[p] - before[p]) / before[p] for p in before if p in after]
        self.memory = {
            "requests": result.requests,
            "seconds": result.seconds,
            "before_mb": sum(before.values()) / max(1, len(before)),
            "after_mb": sum(after.values()) / max(1, len(after)),
            "growth_pct": max(growth) if growth else 0.0,
            "workers": {str(p): [round(before[p], 1), round(after.get(p, 0), 1)] for p in before},
            "start_mb": self.start_rss / max(1, len(workers)),
            "timeline": [(round(t, 1), round(mb / max(1, len(workers)), 1)) for t, mb in samples],
        }
        say(
            f"memory: {self.memory['before_mb']:.1f} -> {self.memory['after_mb']:.1f} MiB "
            f"({self.memory['growth_pct']:+.1f}%) over {result.requests} requests"
        )

    def log_cost(self) -> None:
        """The same account read on a fresh server with WARNING, then with the INFO access log."""
        assert self.app is not None
        for name, level in (("log_warning", "WARNING"), ("log_info", "INFO")):
            self.app.stop()
            self.app = self.start_app(LOG_LEVEL=level, LOG_FORMAT="json")
            self.load(name, script="account_staff", connections=64, seconds=self.plan.seconds)
        self.app.stop()
        self.app = self.start_app()

    # --- the run -------------------------------------------------------------------------

    def knobs(self) -> None:
        """What-if runs of settings that exist today, each on a fresh server (same round)."""
        assert self.app is not None
        s = self.plan.seconds
        for suffix, env in (("", {}), ("_nocache", {"SESSION_CACHE_ENABLED": "false"})):
            self.app.stop()
            self.app = self.start_app(**env)
            self.load(f"knob_read{suffix}", script="account_staff", connections=64, seconds=s)
            self.load(
                f"knob_transfer{suffix}",
                script="transfer",
                connections=16,
                seconds=s,
                args={"mix": "uniform"},
            )
            self.verify_ledger(f"knob_transfer{suffix} c16")
        for limit in ("2", "1"):  # the default is the cores minus one: 1 on two cores
            self.app.stop()
            self.app = self.start_app(PASSWORD_HASH_CONCURRENCY=limit)
            self.storm(self.plan.login_seconds.get(64, s), suffix=f"_hash{limit}")
        self.app.stop()
        self.app = self.start_app()

    def profile(self) -> None:
        """py-spy on the app server while wrk drives an account read and a transfer scenario."""
        spy = shutil.which("py-spy", path=str(VENV_BIN)) or shutil.which("py-spy")
        if spy is None:
            raise BenchFailure("py-spy is not installed: pip install -e '.[bench]'")
        assert self.app is not None
        pid = self.app.worker_pids()[0]
        for name, script, c, args in (
            ("account_staff", "account_staff", 64, {}),
            ("transfer_uniform", "transfer", 16, {"mix": "uniform"}),
        ):
            out = self.run_dir / f"profile-{name}-c{c}.txt"
            seconds = max(15.0, self.plan.seconds)
            spy_cmd = [
                spy,
                "record",
                "--pid",
                str(pid),
                "--duration",
                str(int(seconds)),
                "--rate",
                "100",
                "--idle",
                "--threads",
                "--format",
                "raw",
                "--output",
                str(out),
            ]
            with ThreadPoolExecutor(max_workers=1) as pool:
                future = pool.submit(
                    self.load,
                    f"profiled_{name}",
                    script=script,
                    connections=c,
                    seconds=seconds + 2,
                    args=args,
                    record=False,
                )
                time.sleep(self.plan.warmup + 1)
                subprocess.run(spy_cmd, capture_output=True, check=True)
                loaded = future.result()
            from bench.profile import parse, summarise

            text = summarise(parse(out.read_text().splitlines()))
            self.profiles[f"{name}@{c}"] = (
                f"Under {loaded.rps:.0f} req/s (c{c}, while sampled at 100 Hz):\n\n{text}"
            )
            say(f"profile of {name} c{c} written to {out.name}")
            if name.startswith("transfer"):
                self.verify_ledger(f"profiled {name}")

    # --- the run -------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        t0 = time.monotonic()
        steps = {
            "reads": self.reads,
            "transfers": self.transfers,
            "logins": self.logins,
            "mixed": self.mixed,
            "memory": self.memory_growth,
            "logcost": self.log_cost,
            "knobs": self.knobs,
            "profile": self.profile,
        }
        shaped = [p for p in self.phases if p in SHAPED_PHASES]
        rest = [p for p in self.phases if p not in SHAPED_PHASES]
        try:
            self.setup()
            for workers in self.shapes if shaped else self.shapes[:1]:
                if workers != self.workers:
                    self.switch_shape(workers)
                for phase in shaped:
                    say(f"--- {self.label(phase)}")
                    steps[phase]()
            if rest and self.workers != self.shapes[0]:
                self.switch_shape(self.shapes[0])
            for phase in rest:
                say(f"--- {phase}")
                steps[phase]()
        finally:
            elapsed = time.monotonic() - t0
            self.teardown()
            summary = self.summary(elapsed)
        return summary

    def summary(self, elapsed: float) -> dict[str, Any]:
        contended = [r for r in self.results if r.cpu and r.cpu.contended]
        if contended:
            self.notes.append(
                f"{len(contended)} of {len(self.results)} runs were contended (other tenants "
                "used > 0.1 core on average): "
                + ", ".join(f"{r.name}@{r.connections}" for r in contended)
            )
        run = {
            "started": self.started.strftime("%Y-%m-%d %H:%M UTC"),
            "command": "python -m bench.run " + shlex.join(sys.argv[1:]),
            "mode": "quick" if self.args.quick else "full",
            "backend": self.args.backend,
            "workers": self.shapes[0],
            "shapes": list(self.shapes),
            "loop": self.args.loop,
            "elapsed_s": elapsed,
            "machine": self.machine,
            "plan": {k: v for k, v in vars(self.plan).items()},
            "results": [r.as_dict() for r in self.results],
            "verify": self.verify,
            "memory": self.memory,
            "notes": self.notes,
            "phases": self.phases,
            "profiles": self.profiles,
            "round_trips": self.round_trips,
            "gc": self.gc_stats(),
            "gc_heap": self.gc_heap,
        }
        (self.run_dir / "results.json").write_text(json.dumps(run, indent=1, default=str))
        text = report.markdown(run)
        (self.run_dir / "summary.md").write_text(text)
        (RESULTS_DIR / "latest.md").write_text(text)
        sys.stdout.write("\n" + text + "\n")
        return run


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="fewer connection counts, shorter")
    parser.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    shapes = parser.add_mutually_exclusive_group()
    shapes.add_argument(
        "--shapes",
        help="worker counts to run the reads and transfers with, app and baselines alike "
        f"(default {','.join(map(str, DEFAULT_SHAPES))}); the other phases and the targets "
        "use the first",
    )
    shapes.add_argument(
        "--workers", type=int, help="one shape: every phase with N workers (app and baselines)"
    )
    parser.add_argument(
        "--loop",
        choices=[loop.value for loop in EventLoop],
        default=DEFAULT_EVENT_LOOP.value,
        help="event loop (app and bare; default: corebank serve's)",
    )
    parser.add_argument("--seconds", type=float, help="seconds per measured run (override)")
    parser.add_argument("--db-name", default="corebank_bench", help="dedicated database")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--phases", help=f"comma-separated subset of {','.join(PHASES)} (default: all but profile)"
    )
    parser.add_argument("--profile", action="store_true", help="also run the py-spy profiles")
    parser.add_argument(
        "--gc-watch", action="store_true", help="record the app's GC pauses (bench/gcwatch)"
    )
    parser.add_argument("--memory-requests", type=int, help="requests for the memory phase")
    parser.add_argument("--think-ms", type=int, help="mean think time of the 100 mixed users")
    parser.add_argument(
        "--app-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the app server (repeatable), e.g. DB_POOL_SIZE=20",
    )
    return parser.parse_args(argv)


def shapes_of(args: argparse.Namespace) -> tuple[int, ...]:
    """The worker counts of the run: --shapes, or --workers alone, or both default shapes."""
    if args.workers:
        return (args.workers,)
    if not args.shapes:
        return DEFAULT_SHAPES
    try:
        shapes = tuple(dict.fromkeys(int(w) for w in args.shapes.split(",")))
    except ValueError:
        shapes = ()
    if not shapes or min(shapes) < 1:
        raise SystemExit(f"--shapes takes worker counts >= 1, e.g. 1,2 (got {args.shapes})")
    return shapes


def _terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # run the cleanup in `finally` blocks (servers, database)


#: The load drivers the bench runs, and the Debian package that brings each.
TOOLS = {"wrk": "wrk", "pgbench": "postgresql"}


def missing_tools(*, postgres: bool) -> list[str]:
    """The drivers this run needs that are not on PATH, each with what to install."""
    needed = ["wrk", "pgbench"] if postgres else ["wrk"]
    return [
        f"{tool} (apt-get install {TOOLS[tool]})" for tool in needed if shutil.which(tool) is None
    ]


def main(argv: list[str] | None = None) -> None:
    signal.signal(signal.SIGTERM, _terminate)
    args = parse_args(argv)
    missing = missing_tools(postgres=args.backend == "postgres")
    if missing:
        sys.stderr.write(f"bench needs {', '.join(missing)} on PATH\n")
        raise SystemExit(2)
    bench = Bench(args)
    try:
        bench.run()
    except BenchFailure as exc:
        sys.stderr.write(f"\nBENCH FAILED: {exc}\n")
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
