"""The login baseline: raw password verifications per second at the configured Argon2 cost.

Runs in its own process (`python -m bench.hashrate --seconds 10 --threads 2`) so it has the
same cores to itself that the server has; prints one JSON line. It uses the app's own hasher
stack (pwdlib's Argon2Hasher with the ARGON2_* settings, argon2-cffi underneath) and verifies,
as a login does.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from corebank.config import Settings

PASSWORD = "Bench-Load-Pass-42!"


def measure(*, seconds: float, threads: int, settings: Settings) -> dict[str, float]:
    """Verifications per second with `threads` threads verifying in a loop for `seconds`."""
    hasher = PasswordHash(
        (
            Argon2Hasher(
                time_cost=settings.argon2_time_cost,
                memory_cost=settings.argon2_memory_cost,
                parallelism=settings.argon2_parallelism,
            ),
        )
    )
    stored = hasher.hash(PASSWORD)
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def loop(index: int) -> None:
        while time.monotonic() < stop:
            ok = hasher.verify(PASSWORD, stored)
            assert ok
            counts[index] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.monotonic() - started
    return {
        "threads": threads,
        "seconds": elapsed,
        "verifies": sum(counts),
        "per_second": sum(counts) / elapsed,
        "time_cost": settings.argon2_time_cost,
        "memory_kib": settings.argon2_memory_cost,
        "parallelism": settings.argon2_parallelism,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    result = measure(seconds=args.seconds, threads=args.threads, settings=Settings())
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
