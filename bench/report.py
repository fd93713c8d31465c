"""Ratios, targets and the Markdown summary, for one run or the medians of several.

`python -m bench.report bench/results/run-*/results.json` prints the median table of several
runs (each ratio is computed within its own run first, then the median is taken).

A run may hold the reads and transfers at several shapes (worker counts, `bench.run
--shapes`): each result carries its `workers`, ratios are taken within one shape, and the
targets are judged on the first shape (older runs without `workers` are one shape).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

#: (label, app result, baseline result, metric): every ratio the suite prints, app / baseline.
RATIOS: tuple[tuple[str, str, str, str], ...] = (
    ("GET /health / bare FastAPI JSON", "health", "baseline_json", "rps"),
    ("account read (staff) / raw asyncpg read", "account_staff", "baseline_read", "rps"),
    ("account read (customer) / raw asyncpg read", "account_customer", "baseline_read", "rps"),
    ("account read (staff) / bare FastAPI JSON", "account_staff", "baseline_json", "rps"),
    ("raw asyncpg read / bare FastAPI JSON", "baseline_read", "baseline_json", "rps"),
    (
        "account read (staff) / raw asyncpg read behind the stack",
        "account_staff",
        "baseline_stack_read",
        "rps",
    ),
    ("raw asyncpg read behind the stack / bare", "baseline_stack_read", "baseline_read", "rps"),
    ("GET /health / JSON behind the stack", "health", "baseline_stack_json", "rps"),
    ("JSON behind the stack / bare FastAPI JSON", "baseline_stack_json", "baseline_json", "rps"),
    ("transactions page / bare FastAPI JSON", "transactions", "baseline_json", "rps"),
    ("customer search / bare FastAPI JSON", "search", "baseline_json", "rps"),
    ("transfer uniform / pgbench same transaction", "transfer_uniform", "pgbench_uniform", "rps"),
    ("transfer hot / pgbench same transaction (hot)", "transfer_hot", "pgbench_hot", "rps"),
    ("transfer uniform / pgbench ledger core only", "transfer_uniform", "pgbench_minimal", "rps"),
    ("pgbench same transaction / ledger core only", "pgbench_uniform", "pgbench_minimal", "rps"),
    ("login / raw Argon2 verify rate (2 threads)", "login", "hash_2threads", "rps"),
)

SCENARIO_LABELS = {
    "baseline_json": "baseline: bare FastAPI JSON (same body size)",
    "health": "GET /health",
    "baseline_stack_json": "baseline: the bare JSON behind corebank's middleware stack",
    "baseline_read": "baseline: bare FastAPI + raw asyncpg account read",
    "baseline_stack_read": "baseline: the raw asyncpg read behind corebank's middleware stack",
    "account_staff": "GET /accounts/{id} (staff token)",
    "account_customer": "GET /accounts/{id} (customer token, own account)",
    "transactions": "GET /accounts/{id}/transactions (page of 50)",
    "search": "GET /customers?q= (search)",
    "pgbench_uniform": "baseline: pgbench, the transfer transaction, uniform",
    "transfer_uniform": "POST /transfers uniform",
    "pgbench_hot": "baseline: pgbench, the transfer transaction, hot mix",
    "transfer_hot": "POST /transfers, 80% on 5 hot accounts",
    "pgbench_minimal": "reference: pgbench, ledger core only (lock, update, entry, postings)",
    "hash_1thread": "baseline: raw Argon2 verify, 1 thread",
    "hash_2threads": "baseline: raw Argon2 verify, 2 threads",
    "login": "POST /auth/login",
    "probe_idle": "GET /health probe every 10 ms, idle",
    "probe_storm": "GET /health probe every 10 ms, during login c64",
    "mixed_think": "mixed, 100 users with think time",
    "mixed_saturated": "mixed, 100 connections without think time",
    "memory_mixed": "memory mix (55% health, 30% account reads, 15% other) c64",
    "log_warning": "GET /accounts/{id} staff, LOG_LEVEL=WARNING (fresh server)",
    "log_info": "GET /accounts/{id} staff, LOG_LEVEL=INFO json access log (fresh server)",
    "knob_read": "GET /accounts/{id} staff (fresh server, defaults)",
    "knob_read_nocache": "GET /accounts/{id} staff, SESSION_CACHE_ENABLED=false (fresh server)",
    "knob_transfer": "POST /transfers uniform (fresh server, defaults)",
    "knob_transfer_nocache": "POST /transfers uniform, SESSION_CACHE_ENABLED=false (fresh server)",
    "probe_idle_hash2": "GET /health probe, idle, PASSWORD_HASH_CONCURRENCY=2",
    "probe_storm_hash2": "GET /health probe during login c64, PASSWORD_HASH_CONCURRENCY=2",
    "login_hash2": "POST /auth/login, PASSWORD_HASH_CONCURRENCY=2 (fresh server)",
    "probe_idle_hash1": "GET /health probe, idle, PASSWORD_HASH_CONCURRENCY=1",
    "probe_storm_hash1": "GET /health probe during login c64, PASSWORD_HASH_CONCURRENCY=1",
    "login_hash1": "POST /auth/login, PASSWORD_HASH_CONCURRENCY=1",
}


def key(name: str, connections: int) -> str:
    return f"{name}@{connections}"


def index(results: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {key(r["name"], r["connections"]): r for r in results}


def shapes(run: dict[str, Any]) -> list[int]:
    """The run's worker counts, the one its targets are judged on first."""
    return [int(w) for w in run.get("shapes") or [run.get("workers") or 1]]


def workers_of(result: dict[str, Any], run: dict[str, Any]) -> int:
    return int(result.get("workers") or run.get("workers") or 1)


def view(run: dict[str, Any], workers: int) -> dict[str, Any]:
    """The run with only the results measured with `workers` workers."""
    return {**run, "results": [r for r in run["results"] if workers_of(r, run) == workers]}


def ratios(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Every app / baseline ratio of the run, within each shape, tagged with its workers."""
    return [
        {**row, "workers": workers}
        for workers in shapes(run)
        for row in shape_ratios(view(run, workers))
    ]


def shape_ratios(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Every app / baseline ratio available in one run of one shape (same connection count)."""
    by_key = index(run["results"])
    rows = []
    for label, app, base, metric in RATIOS:
        for result in run["results"]:
            if result["name"] != app:
                continue
            c = result["connections"]
            baseline = by_key.get(key(base, c)) or (
                by_key.get(key(base, 2)) if base.startswith("hash_") else None
            )
            if baseline is None or not baseline[metric]:
                continue
            rows.append(
                {
                    "label": label,
                    "connections": c,
                    "app": result[metric],
                    "baseline": baseline[metric],
                    "ratio": result[metric] / baseline[metric],
                }
            )
    storm, idle = by_key.get(key("probe_storm", 1)), by_key.get(key("probe_idle", 1))
    if storm and idle and idle["p99_ms"]:
        rows.append(
            {
                "label": "GET /health p99 during login storm / idle p99",
                "connections": 64,
                "app": storm["p99_ms"],
                "baseline": idle["p99_ms"],
                "ratio": storm["p99_ms"] / idle["p99_ms"],
            }
        )
    pairs = (
        (
            "account read, default / SESSION_CACHE_ENABLED=false",
            "knob_read",
            "knob_read_nocache",
            64,
        ),
        (
            "transfer, default / SESSION_CACHE_ENABLED=false",
            "knob_transfer",
            "knob_transfer_nocache",
            16,
        ),
        ("login c64, PASSWORD_HASH_CONCURRENCY=1 / 2", "login_hash1", "login_hash2", 64),
    )
    for label, app, base, c in pairs:
        a, b = by_key.get(key(app, c)), by_key.get(key(base, c))
        if a and b and b["rps"]:
            rows.append(
                {
                    "label": label,
                    "connections": c,
                    "app": a["rps"],
                    "baseline": b["rps"],
                    "ratio": a["rps"] / b["rps"],
                }
            )
    for limit in ("2", "1"):
        storm = by_key.get(key(f"probe_storm_hash{limit}", 1))
        idle = by_key.get(key(f"probe_idle_hash{limit}", 1))
        if storm and idle and idle["p99_ms"]:
            rows.append(
                {
                    "label": f"GET /health p99 storm / idle, PASSWORD_HASH_CONCURRENCY={limit}",
                    "connections": 64,
                    "app": storm["p99_ms"],
                    "baseline": idle["p99_ms"],
                    "ratio": storm["p99_ms"] / idle["p99_ms"],
                }
            )
    warn, info = by_key.get(key("log_warning", 64)), by_key.get(key("log_info", 64))
    if warn and info and warn["rps"]:
        rows.append(
            {
                "label": "account read with INFO access log / with WARNING",
                "connections": 64,
                "app": info["rps"],
                "baseline": warn["rps"],
                "ratio": info["rps"] / warn["rps"],
            }
        )
    return rows


def _ratio(
    rows: Sequence[dict[str, Any]], label: str, c: int, workers: int | None = None
) -> float | None:
    for row in rows:
        if (
            row["label"] == label
            and row["connections"] == c
            and (workers is None or row.get("workers") == workers)
        ):
            return float(row["ratio"])
    return None


@dataclass
class Target:
    name: str
    goal: str
    measured: str
    met: bool | None


def targets(run: dict[str, Any]) -> list[Target]:
    """The issue's targets, judged on this run's first shape (None = not measured)."""
    run = view(run, shapes(run)[0])
    by_key = index(run["results"])
    rows = shape_ratios(run)
    out: list[Target] = []

    read = by_key.get(key("account_staff", 64))
    r = _ratio(rows, "account read (staff) / raw asyncpg read", 64)
    if read and r is not None:
        out.append(
            Target(
                "authenticated account read, c64",
                ">= 60% of raw asyncpg req/s, p99 < 50 ms",
                f"{r:.0%} ({read['rps']:.0f} / {read['rps'] / r:.0f} req/s), "
                f"p99 {read['p99_ms']:.1f} ms",
                r >= 0.60 and read["p99_ms"] < 50,
            )
        )
    r = _ratio(rows, "transfer uniform / pgbench same transaction", 16)
    transfer = by_key.get(key("transfer_uniform", 16))
    if transfer and r is not None:
        out.append(
            Target(
                "transfers uniform, c16 (PostgreSQL)",
                ">= 50% of the same SQL transaction by pgbench",
                f"{r:.0%} ({transfer['rps']:.0f} / {transfer['rps'] / r:.0f} tx/s)",
                r >= 0.50,
            )
        )
    hot = [res for res in run["results"] if res["name"] == "transfer_hot"]
    if hot:
        errors = sum(res["errors"] for res in hot)
        refused = sum(res["refusals"] for res in hot)
        out.append(
            Target(
                "transfers, hot-account mix (all c)",
                "no error but insufficient-funds refusals",
                f"{errors} errors, {refused} insufficient-funds refusals",
                errors == 0,
            )
        )
    logins = [res for res in run["results"] if res["name"] == "login"]
    hash_rate = by_key.get(key("hash_2threads", 2))
    if logins and hash_rate:
        best = max(logins, key=lambda res: res["rps"])
        share = best["rps"] / hash_rate["rps"]
        out.append(
            Target(
                "login throughput",
                ">= 90% of the raw hash rate",
                f"{share:.0%} at c{best['connections']} ({best['rps']:.1f} / "
                f"{hash_rate['rps']:.1f} per s)",
                share >= 0.90,
            )
        )
    r = _ratio(rows, "GET /health p99 during login storm / idle p99", 64)
    if r is not None:
        storm, idle = by_key[key("probe_storm", 1)], by_key[key("probe_idle", 1)]
        out.append(
            Target(
                "login storm c64: GET /health p99",
                "< 3x its idle p99",
                f"{r:.1f}x ({storm['p99_ms']:.1f} vs {idle['p99_ms']:.1f} ms)",
                r < 3,
            )
        )
    mixed = by_key.get(key("mixed_think", 100))
    if mixed:
        out.append(
            Target(
                "100 users, mixed read/write (with think time)",
                "p95 < 50 ms, zero errors",
                f"p95 {mixed['p95_ms']:.1f} ms, {mixed['errors']} errors "
                f"({mixed['rps']:.0f} req/s)",
                mixed["p95_ms"] < 50 and mixed["errors"] == 0,
            )
        )
    saturated = by_key.get(key("mixed_saturated", 100))
    if saturated:
        out.append(
            Target(
                "100 connections, mixed, no think time (stress)",
                "p95 < 50 ms, zero errors",
                f"p95 {saturated['p95_ms']:.1f} ms, {saturated['errors']} errors "
                f"({saturated['rps']:.0f} req/s)",
                saturated["p95_ms"] < 50 and saturated["errors"] == 0,
            )
        )
    memory = run.get("memory")
    if memory:
        growth = memory["growth_pct"]
        out.append(
            Target(
                f"RSS per worker over {memory['requests']:,} requests",
                "< 10% growth",
                f"{growth:+.1f}% ({memory['before_mb']:.0f} -> {memory['after_mb']:.0f} MiB)",
                growth < 10,
            )
        )
    return out


def _ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _cores(result: dict[str, Any], field: str) -> str:
    cpu = result.get("cpu")
    if not cpu or not cpu["wall"]:
        return "-"
    if field == "server" and result["name"].startswith("baseline_"):
        field = "baseline"  # the server under test is the bare baseline app
    return f"{cpu[field] / cpu['wall']:.2f}"


def cpu_ms(result: dict[str, Any]) -> float | None:
    """CPU milliseconds per request of the server under test (pgbench: of PostgreSQL)."""
    cpu = result.get("cpu")
    if not cpu or not cpu["wall"] or not result["rps"]:
        return None
    name = result["name"]
    field = (
        "postgres"
        if name.startswith("pgbench")
        else ("baseline" if name.startswith("baseline_") else "server")
    )
    return float(1000 * cpu[field] / cpu["wall"] / result["rps"])


def _cpu_per_request(result: dict[str, Any]) -> str:
    value = cpu_ms(result)
    return "-" if value is None else f"{value:.2f}"


def pgbench_statements() -> int:
    """Statements in bench/pgbench_transfer.sql (each SQL line ending in `;` or `\\gset`)."""
    text = (Path(__file__).parent / "pgbench_transfer.sql").read_text()
    lines = [line.strip() for line in text.splitlines()]
    return sum(
        1
        for line in lines
        if line and not line.startswith(("--", "\\")) and line.endswith((";", "\\gset"))
    )


def results_table(results: Sequence[dict[str, Any]], workers: int = 1) -> list[str]:
    """Every result; `workers` for results of runs that did not record theirs."""
    lines = [
        "| scenario | workers | c | req/s | p50 ms | p95 ms | p99 ms | errors | refused | "
        "server cores | CPU ms/req | pg cores | driver cores | foreign cores |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        label = SCENARIO_LABELS.get(r["name"], r["name"])
        if r.get("note"):
            label += f" ({r['note']})"
        lines.append(
            f"| {label} | {r.get('workers') or workers} | {r['connections']} | {r['rps']:.1f} | "
            f"{_ms(r['p50_ms'])} | "
            f"{_ms(r['p95_ms'])} | {_ms(r['p99_ms'])} | {r['errors']} | {r['refusals']} | "
            f"{_cores(r, 'server')} | {_cpu_per_request(r)} | {_cores(r, 'postgres')} | "
            f"{_cores(r, 'driver')} | "
            f"{_cores(r, 'foreign')} |"
        )
    return lines


def ratio_table(rows: Sequence[dict[str, Any]]) -> list[str]:
    lines = [
        "| ratio (app / baseline) | workers | c | app | baseline | ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['label']} | {row.get('workers', '-')} | {row['connections']} | "
            f"{row['app']:.1f} | {row['baseline']:.1f} | **{row['ratio']:.2f}** |"
        )
    return lines


def stack_rows(run: dict[str, Any]) -> list[dict[str, Any]]:
    """Per shape and c: the bare read, the same read behind the stack, and the app's read.

    Time per request (1 / req/s, the worker being CPU-bound) adds up where the ratios
    multiply: `stack_share` is the part of the app's extra time over the bare read that the
    stack alone already takes; the rest is the app's handler (auth, session check, routing,
    dependencies, its queries and response model).
    """
    rows = []
    for workers in shapes(run):
        by_key = index(view(run, workers)["results"])
        counts = sorted(
            {r["connections"] for r in run["results"] if r["name"] == "baseline_stack_read"}
        )
        for c in counts:
            bare, stack, app = (
                by_key.get(key(name, c))
                for name in ("baseline_read", "baseline_stack_read", "account_staff")
            )
            if not (bare and stack and app and bare["rps"] and stack["rps"] and app["rps"]):
                continue
            extra = 1 / app["rps"] - 1 / bare["rps"]
            rows.append(
                {
                    "workers": workers,
                    "connections": c,
                    "bare": bare,
                    "stack": stack,
                    "app": app,
                    "stack_share": (1 / stack["rps"] - 1 / bare["rps"]) / extra if extra else None,
                }
            )
    return rows


def _cpu_triple(*results: dict[str, Any]) -> str:
    values = [cpu_ms(r) for r in results]
    return " / ".join("-" if v is None else f"{v:.2f}" for v in values)


def stack_table(run: dict[str, Any]) -> list[str]:
    rows = stack_rows(run)
    if not rows:
        return []
    lines = [
        "## The middleware stack's share of the account read",
        "",
        "The raw asyncpg read bare, the same read behind corebank's middleware stack "
        "(`corebank.main.add_middleware`, same settings) and the app's staff account read, "
        "in the same round. Time per request adds up: the stack's share is the part of the "
        "app's extra time per request over the bare read that the stack alone takes; the "
        "rest is the handler.",
        "",
        "| workers | c | bare read | behind the stack | app | stack / bare | app / stack | "
        "stack's share of the gap | server CPU ms/req (bare / stack / app) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        bare, stack, app = row["bare"], row["stack"], row["app"]
        share = row["stack_share"]
        lines.append(
            f"| {row['workers']} | {row['connections']} | {bare['rps']:.0f} | "
            f"{stack['rps']:.0f} | {app['rps']:.0f} | {stack['rps'] / bare['rps']:.2f} | "
            f"{app['rps'] / stack['rps']:.2f} | "
            f"{'-' if share is None else f'{share:.0%}'} | {_cpu_triple(bare, stack, app)} |"
        )
    return [*lines, ""]


SHAPE_BASELINES = {
    "baseline_read": "the raw read",
    "baseline_json": "the bare JSON",
    "pgbench_uniform": "pgbench",
    "pgbench_hot": "pgbench",
}


def _shape_cell(by_key: dict[str, dict[str, Any]], name: str, base: str, c: int) -> str:
    result, baseline = by_key.get(key(name, c)), by_key.get(key(base, c))
    if not result:
        return "-"
    text = f"{result['rps']:.0f}/s, p99 {_ms(result['p99_ms'])} ms"
    if baseline and baseline["rps"]:
        text += f" ({result['rps'] / baseline['rps']:.2f} of {SHAPE_BASELINES[base]})"
    return text


def shape_table(run: dict[str, Any]) -> list[str]:
    """The headline figures of each shape side by side (reads at c64, transfers at c16)."""
    if len(shapes(run)) < 2:
        return []
    cells = [
        ("account read (staff) c64", "account_staff", "baseline_read", 64),
        ("raw read behind the stack c64", "baseline_stack_read", "baseline_read", 64),
        ("GET /health c64", "health", "baseline_json", 64),
        ("transfer uniform c16", "transfer_uniform", "pgbench_uniform", 16),
        ("transfer hot c16", "transfer_hot", "pgbench_hot", 16),
    ]
    views = {w: index(view(run, w)["results"]) for w in shapes(run)}
    lines = [
        "## Shapes",
        "",
        "The reads and transfers with each worker count (app and bare baselines alike; "
        "pgbench unchanged). The targets above are judged on the first.",
        "",
        "| | " + " | ".join(f"{w} worker(s)" for w in views) + " |",
        "|---|" + "---|" * len(views),
    ]
    for label, name, base, c in cells:
        lines.append(
            f"| {label} | "
            + " | ".join(_shape_cell(by_key, name, base, c) for by_key in views.values())
            + " |"
        )
    return [*lines, ""]


def _workers_text(run: dict[str, Any]) -> str:
    counts = shapes(run)
    if len(counts) == 1:
        return f"{counts[0]} worker(s)"
    listed = ", ".join(str(w) for w in counts[:-1]) + f" and {counts[-1]}"
    return (
        f"reads and transfers with {listed} workers (app and baselines alike), the rest with "
        f"{counts[0]}"
    )


def target_table(items: Sequence[Target]) -> list[str]:
    lines = ["| target | goal | measured | verdict |", "|---|---|---|---|"]
    for t in items:
        verdict = "not measured" if t.met is None else ("**met**" if t.met else "**missed**")
        lines.append(f"| {t.name} | {t.goal} | {t.measured} | {verdict} |")
    return lines


def markdown(run: dict[str, Any]) -> str:
    """The summary of one run."""
    m = run["machine"]
    pg = m.get("postgres", {})
    lines = [
        f"# corebank benchmark: {run['started']} ({run['mode']})",
        "",
        f"`{run['command']}` on {m['cpus']} x {m['cpu_model']}, {m['memory_gib']} GiB, "
        f"Python {m['python']}, backend {run['backend']}, {_workers_text(run)} on "
        f"{run.get('loop', 'uvloop')}; "
        f"PostgreSQL {pg.get('server_version', '-')} (shared_buffers "
        f"{pg.get('shared_buffers', '-')}, synchronous_commit {pg.get('synchronous_commit', '-')}"
        f"); load by {m['wrk']}. Duration {run['elapsed_s'] / 60:.1f} min.",
        "",
        "## Targets",
        "",
        *target_table(targets(run)),
        "",
        "## Ratios",
        "",
        *ratio_table(ratios(run)),
        "",
        *stack_table(run),
        *shape_table(run),
        "## Results",
        "",
        "Latencies from wrk (pgbench: its per-transaction log). `refused` = 422 "
        "insufficient-funds (not errors). CPU columns: average cores used during the run by "
        "the server under test (app or baseline), PostgreSQL, the load driver, and other "
        "tenants of the machine; CPU ms/req = the server's CPU time per request (for pgbench "
        "rows: PostgreSQL's per transaction).",
        "",
        *results_table(run["results"], shapes(run)[0]),
        "",
    ]
    trips = run.get("round_trips") or {}
    if trips:
        lines += [
            "## Statements per request (round trips to PostgreSQL)",
            "",
            "Counted in-process by bench/sqltrace.py (the statements are in the run's "
            "sql-trace.md). Baselines: the raw asyncpg read sends 1; the pgbench transfer "
            f"transaction {pgbench_statements()} (BEGIN to COMMIT).",
            "",
            "| request | statements |",
            "|---|---:|",
            *(f"| {name} | {count} |" for name, count in trips.items()),
            "",
        ]
    memory = run.get("memory")
    if memory:
        lines += [
            "## Memory",
            "",
            f"RSS per worker before / after {memory['requests']:,} requests (memory mix, c64, "
            f"after warm-up): {memory['before_mb']:.1f} -> {memory['after_mb']:.1f} MiB "
            f"({memory['growth_pct']:+.1f}%); per worker: {memory['workers']}. "
            f"At server start: {memory.get('start_mb', 0):.1f} MiB. Timeline (s, MiB per "
            f"worker), every tenth sample: {memory.get('timeline', [])[::10]}.",
            "",
        ]
    heap = run.get("gc_heap") or {}
    if heap:
        lines += [
            "## The app's heap for the garbage collector (bench/gcheap.py, after create_app)",
            "",
            f"{heap['tracked_objects']:,} tracked objects (most common: "
            f"{', '.join(f'{t} {n:,}' for t, n in heap['common_types'])}); thresholds "
            f"{tuple(heap['thresholds'])}; a full collection takes "
            f"{heap['full_collection_ms']} ms, {heap['full_collection_ms_after_freeze']} ms after "
            "gc.freeze().",
            "",
        ]
    gc_stats = run.get("gc") or []
    if gc_stats:
        lines += [
            "## Garbage-collector pauses of the app (--gc-watch, whole run)",
            "",
            "| worker | generation | collections | total ms | p99 ms | max ms |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for worker in gc_stats:
            for generation in ("0", "1", "2"):
                g = worker[generation]
                lines.append(
                    f"| {worker['pid']} | {generation} | {g['count']} | {g['total_ms']} | "
                    f"{g['p99_ms']} | {g['max_ms']} |"
                )
        lines.append("")
    profiles = run.get("profiles") or {}
    for name, text in profiles.items():
        lines += [f"## Profile: {name}", "", text, ""]
    verify = run.get("verify", [])
    if verify:
        lines += ["## Ledger verification", ""]
        lines += [f"- after {v['after']}: `{v['output']}`" for v in verify]
        lines.append("")
    if run.get("notes"):
        lines += ["## Notes", "", *(f"- {note}" for note in run["notes"]), ""]
    return "\n".join(lines)


def _median_result(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    first = dict(items[0])
    for metric in ("rps", "p50_ms", "p95_ms", "p99_ms", "max_ms"):
        first[metric] = median(float(r[metric]) for r in items)
    first["errors"] = max(int(r["errors"]) for r in items)
    first["refusals"] = round(median(int(r["refusals"]) for r in items))
    cpus = [r["cpu"] for r in items if r.get("cpu")]
    if cpus:
        merged = {f: median(c[f] / c["wall"] for c in cpus) for f in cpus[0] if f != "wall"}
        first["cpu"] = {**merged, "wall": 1.0}
    return first


def median_markdown(runs: Sequence[dict[str, Any]]) -> str:
    """Medians over several runs: results, per-run ratios and their medians, targets per run."""
    grouped: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for run in runs:
        for result in run["results"]:
            workers = workers_of(result, run)
            name = key(result["name"], result["connections"])
            grouped.setdefault((name, workers), []).append({**result, "workers": workers})
    merged = [_median_result(items) for items in grouped.values()]
    merged_run = {"results": merged, "shapes": shapes(runs[0]), "workers": shapes(runs[0])[0]}
    per_run = [ratios(run) for run in runs]
    labels = [(row["label"], row["connections"], row["workers"]) for row in per_run[0]]
    lines = [
        f"# Medians of {len(runs)} runs ({', '.join(r['started'] for r in runs)})",
        "",
        "## Ratios (each computed within its run; median, then the per-run values)",
        "",
        "| ratio (app / baseline) | workers | c | median | per run |",
        "|---|---:|---:|---:|---|",
    ]
    for label, c, workers in labels:
        values = [v for rows in per_run if (v := _ratio(rows, label, c, workers)) is not None]
        if values:
            each = ", ".join(f"{v:.2f}" for v in values)
            lines.append(f"| {label} | {workers} | {c} | **{median(values):.2f}** | {each} |")
    lines += ["", "## Targets per run", ""]
    for run in runs:
        lines += [f"### {run['started']}", "", *target_table(targets(run)), ""]
    lines += [
        "(The two tables below are computed from the median results, not per run.)",
        "",
        *stack_table(merged_run),
        *shape_table(merged_run),
        "## Results (median of each metric; errors = the worst run)",
        "",
        *results_table(merged),
        "",
    ]
    memories = [run["memory"] for run in runs if run.get("memory")]
    if memories:
        growth = ", ".join(f"{m['growth_pct']:+.1f}%" for m in memories)
        lines += [f"Memory growth per run: {growth}.", ""]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", nargs="+", type=Path, help="results.json files of runs")
    args = parser.parse_args(argv)
    runs = [json.loads(path.read_text()) for path in args.results]
    text = markdown(runs[0]) if len(runs) == 1 else median_markdown(runs)
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
