"""The app's heap as the cyclic garbage collector sees it, right after `create_app()`.

Prints JSON: objects tracked by the collector, the most common types, and how long a full
(generation 2) collection takes, before and after `gc.freeze()`. Run by `bench.run` in a
subprocess with the server's environment; standalone: `python -m bench.gcheap`.
"""

from __future__ import annotations

import collections
import gc
import json
import sys
import time

from corebank.config import Settings
from corebank.main import create_app


def _full_collection_ms(repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        gc.collect()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def measure() -> dict[str, object]:
    create_app(Settings())
    gc.collect()
    objects = gc.get_objects()
    common = collections.Counter(type(o).__name__ for o in objects).most_common(6)
    tracked = len(objects)
    del objects
    before = _full_collection_ms()
    gc.freeze()
    after = _full_collection_ms()
    return {
        "tracked_objects": tracked,
        "common_types": common,
        "thresholds": gc.get_threshold(),
        "full_collection_ms": round(before, 1),
        "full_collection_ms_after_freeze": round(after, 2),
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(measure()) + "\n")
