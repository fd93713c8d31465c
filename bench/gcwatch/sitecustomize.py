"""Imported at start-up by a server run with this directory on PYTHONPATH (`bench.run
--gc-watch`): records how long each cyclic garbage collection stops the process, per
generation, and writes the totals to $BENCH_GC_LOG (JSON, rewritten every 2 s).

Measurement only: it changes no collector setting.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import threading
import time

_path = os.environ.get("BENCH_GC_LOG")
_started: list[float] = [0.0]
_pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}


def _callback(phase: str, info: dict[str, int]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
    else:
        _pauses[info["generation"]].append((time.perf_counter() - _started[0]) * 1000)


def _dump() -> None:
    if not _path:
        return
    stats = {}
    for generation, pauses in _pauses.items():
        ordered = sorted(pauses)
        stats[str(generation)] = {
            "count": len(ordered),
            "total_ms": round(sum(ordered), 1),
            "max_ms": round(ordered[-1], 2) if ordered else 0.0,
            "p99_ms": round(ordered[int(len(ordered) * 0.99)], 2) if ordered else 0.0,
        }
    stats["pid"] = os.getpid()  # type: ignore[assignment]
    with open(f"{_path}.{os.getpid()}", "w") as out:
        json.dump(stats, out)


def _loop() -> None:
    while True:
        time.sleep(2)
        _dump()


if _path:
    gc.callbacks.append(_callback)
    threading.Thread(target=_loop, daemon=True, name="bench-gcwatch").start()
    atexit.register(_dump)
