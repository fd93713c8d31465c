"""bench/report.py with several shapes (worker counts) in one run, and runs from before them."""

from __future__ import annotations

from typing import Any

import pytest
from bench import report


def result(name: str, c: int, rps: float, workers: int | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": name,
        "connections": c,
        "rps": rps,
        "p50_ms": 1.0,
        "p95_ms": 2.0,
        "p99_ms": 3.0,
        "max_ms": 4.0,
        "errors": 0,
        "refusals": 0,
        "cpu": None,
    }
    if workers is not None:
        found["workers"] = workers
    return found


def reads(workers: int | None, scale: float) -> list[dict[str, Any]]:
    """A bare read of 4000/s, 2000/s behind the stack and 1000/s through the app (x scale)."""
    return [
        result("baseline_read", 64, 4000 * scale, workers),
        result("baseline_stack_read", 64, 2000 * scale, workers),
        result("account_staff", 64, 1000 * scale, workers),
        result("pgbench_uniform", 16, 1000, workers),
        result("transfer_uniform", 16, 300 * scale, workers),
    ]


def a_run(results: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {
        "started": "2026-12-07 00:00 UTC",
        "command": "python -m bench.run",
        "mode": "quick",
        "backend": "postgres",
        "elapsed_s": 60.0,
        "machine": {"cpus": 2, "cpu_model": "x", "memory_gib": 1, "python": "3.11", "wrk": "wrk"},
        "results": results,
        **fields,
    }


def two_shapes() -> dict[str, Any]:
    return a_run([*reads(1, 1.0), *reads(2, 1.5)], workers=1, shapes=[1, 2])


def test_ratios_are_taken_within_each_shape() -> None:
    rows = report.ratios(two_shapes())
    label = "transfer uniform / pgbench same transaction"
    assert report._ratio(rows, label, 16, 1) == pytest.approx(0.30)
    assert report._ratio(rows, label, 16, 2) == pytest.approx(0.45)


def test_targets_are_judged_on_the_first_shape() -> None:
    read = next(t for t in report.targets(two_shapes()) if t.name.startswith("authenticated"))
    assert read.measured.startswith("25% (1000 / 4000 req/s)")


def test_the_stacks_share_of_the_gap() -> None:
    rows = report.stack_rows(two_shapes())
    assert [(row["workers"], row["connections"]) for row in rows] == [(1, 64), (2, 64)]
    # time per request: bare 0.25 ms, behind the stack 0.5 ms, app 1 ms -> a third
    assert rows[0]["stack_share"] == pytest.approx(1 / 3)
    text = report.markdown(two_shapes())
    assert "## The middleware stack's share of the account read" in text
    assert "## Shapes" in text
    assert "reads and transfers with 1 and 2 workers" in text


def test_a_run_from_before_shapes_is_one_shape() -> None:
    old = a_run(reads(None, 1.0), workers=2)
    assert report.shapes(old) == [2]
    assert {row["workers"] for row in report.ratios(old)} == {2}
    assert "## Shapes" not in report.markdown(old)


def test_medians_keep_the_shapes_apart() -> None:
    text = report.median_markdown([two_shapes(), two_shapes()])
    assert "| transfer uniform / pgbench same transaction | 1 | 16 | **0.30** |" in text
    assert "| transfer uniform / pgbench same transaction | 2 | 16 | **0.45** |" in text


def test_shapes_option() -> None:
    from bench.run import DEFAULT_SHAPES, parse_args, shapes_of

    assert shapes_of(parse_args([])) == DEFAULT_SHAPES
    assert shapes_of(parse_args(["--shapes", "2,1,2"])) == (2, 1)
    assert shapes_of(parse_args(["--workers", "2"])) == (2,)
    with pytest.raises(SystemExit):
        shapes_of(parse_args(["--shapes", "0"]))
    with pytest.raises(SystemExit):
        parse_args(["--shapes", "1", "--workers", "2"])
