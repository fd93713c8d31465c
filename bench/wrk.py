"""The load driver: wrk with generated Lua scripts, and pgbench for the SQL baseline.

Each scenario script is the data table `BENCH` (tokens, account ids, login names, search
terms) + `lua/common.lua` + the scenario's own pieces, written once per run. wrk prints one
`BENCH_RESULT {...}` line from `done()`, parsed into a `LoadResult`.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import quantiles
from typing import Any

from bench.procs import CpuMeter, CpuUsage
from bench.seed import LoadData

LUA_DIR = Path(__file__).parent / "lua"

#: Scenario name -> Lua pieces after common.lua.
SCRIPTS: dict[str, tuple[str, ...]] = {
    "static": ("static.lua",),
    "account_staff": ("account_staff.lua",),
    "account_customer": ("account_customer.lua",),
    "baseline_read": ("baseline_read.lua",),
    "transactions": ("transactions.lua",),
    "search": ("search.lua",),
    "transfer": ("transfer.lua",),
    "login": ("login.lua",),
    "mixed": ("transfer.lua", "mixed.lua"),
    "mixed_think": ("transfer.lua", "mixed.lua", "think.lua"),
    "memory": ("transfer.lua", "memory.lua"),
    "probe": ("probe.lua",),
}
_RESULT = re.compile(r"^BENCH_RESULT (\{.*\})$", re.MULTILINE)


@dataclass
class LoadResult:
    """One load run: throughput, latency (ms), errors, and where the CPU went."""

    name: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    refusals: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    cpu: CpuUsage | None = None
    note: str = ""
    #: The worker count of the app and baselines when it ran (pgbench, hash: of that round).
    workers: int = 1

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal is a valid Lua string literal here


def write_scripts(directory: Path, data: LoadData) -> dict[str, Path]:
    """Write one self-contained Lua script per scenario; returns name -> path."""
    directory.mkdir(parents=True, exist_ok=True)
    customers = ",\n".join(
        f"{{{_lua_string(token)},{a},{b}}}" for token, a, b in data.customer_tokens
    )
    header = "\n".join(
        [
            "BENCH = {",
            f"  staff = {{{','.join(_lua_string(t) for t in data.staff_tokens)}}},",
            f"  customers = {{\n{customers}}},",
            f"  logins = {{{','.join(_lua_string(e) for e in data.login_emails)}}},",
            f"  password = {_lua_string(data.password)},",
            f"  accounts = {data.accounts},",
            f"  busy = {data.busy_accounts},",
            f"  hot = {{{','.join(str(h) for h in data.hot_accounts)}}},",
            f"  terms = {{{','.join(_lua_string(t) for t in data.search_terms)}}},",
            "}",
            "",
        ]
    )
    common = (LUA_DIR / "common.lua").read_text()
    paths = {}
    for name, pieces in SCRIPTS.items():
        body = "\n".join((LUA_DIR / piece).read_text() for piece in pieces)
        path = directory / f"{name}.lua"
        path.write_text(header + common + "\n" + body)
        paths[name] = path
    return paths


def run_wrk(
    *,
    name: str,
    url: str,
    script: Path,
    connections: int,
    seconds: float,
    meter: CpuMeter | None = None,
    args: dict[str, str | int] | None = None,
    timeout_s: float = 30.0,
) -> LoadResult:
    """Run wrk once and parse its result line (latencies in ms)."""
    threads = 1 if connections < 2 else 2
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={int(timeout_s)}s",
        "-s",
        str(script),
        url,
    ]
    if args:
        cmd += ["--", *(f"{k}={v}" for k, v in args.items())]
    if meter:
        meter.start()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    cpu = meter.stop() if meter else None
    match = _RESULT.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    raw = json.loads(match.group(1))
    lat = raw["latency_us"]
    duration = raw["duration_us"] / 1e6
    statuses = {str(k): int(v) for k, v in raw["statuses"].items()}
    errors = sum(raw["errors"][k] for k in ("connect", "read", "write", "timeout"))
    if statuses:
        errors += sum(n for s, n in statuses.items() if int(s) >= 400) - raw["refusals"]
    else:
        errors += raw["errors"]["status"]
    return LoadResult(
        name=name,
        connections=connections,
        seconds=duration,
        requests=raw["requests"],
        rps=raw["requests"] / duration if duration else 0.0,
        p50_ms=lat["p50"] / 1000,
        p95_ms=lat["p95"] / 1000,
        p99_ms=lat["p99"] / 1000,
        max_ms=lat["max"] / 1000,
        errors=errors,
        refusals=raw["refusals"],
        statuses=statuses,
        cpu=cpu,
    )


_TPS = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.MULTILINE)
_FAILED = re.compile(r"^number of failed transactions: (\d+)", re.MULTILINE)
_PROCESSED = re.compile(r"^number of transactions actually processed: (\d+)", re.MULTILINE)


def run_pgbench(
    *,
    name: str,
    dbname: str,
    script: Path,
    connections: int,
    seconds: float,
    variables: dict[str, str | int],
    log_dir: Path,
    meter: CpuMeter | None = None,
    host: str = "127.0.0.1",
    port: int = 5432,
    user: str = "postgres",
) -> LoadResult:
    """pgbench with a custom script (prepared protocol); latencies from its per-transaction log."""
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("pgbench_log*"):
        old.unlink()
    cmd = [
        "pgbench",
        "-h",
        host,
        "-p",
        str(port),
        "-U",
        user,
        "-n",
        "-M",
        "prepared",
        "-c",
        str(connections),
        "-j",
        str(min(connections, 2)),
        "-T",
        str(max(1, round(seconds))),
        "-f",
        str(script),
        "-l",
        "--log-prefix",
        str(log_dir / "pgbench_log"),
    ]
    for key, value in variables.items():
        cmd += ["-D", f"{key}={value}"]
    cmd.append(dbname)
    if meter:
        meter.start()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    cpu = meter.stop() if meter else None
    if cpu is not None:
        # pgbench's backends exit with it, before the meter's last snapshot: their CPU is the
        # busy time nobody else accounts for.
        known = cpu.server + cpu.baseline + cpu.postgres + cpu.driver + cpu.foreign
        cpu.postgres += max(0.0, cpu.busy - known)
    tps, processed = _TPS.search(done.stdout), _PROCESSED.search(done.stdout)
    if done.returncode != 0 or tps is None or processed is None:
        raise RuntimeError(f"pgbench failed ({done.returncode}): {done.stderr}\n{done.stdout}")
    latencies = sorted(
        int(line.split()[2]) / 1000
        for path in log_dir.glob("pgbench_log*")
        for line in path.read_text().splitlines()
        if line.strip()
    )
    failed = _FAILED.search(done.stdout)
    cuts = quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [0.0] * 99
    return LoadResult(
        name=name,
        connections=connections,
        seconds=seconds,
        requests=int(processed.group(1)),
        rps=float(tps.group(1)),
        p50_ms=cuts[49],
        p95_ms=cuts[94],
        p99_ms=cuts[98],
        max_ms=latencies[-1] if latencies else 0.0,
        errors=int(failed.group(1)) if failed else 0,
        cpu=cpu,
    )
