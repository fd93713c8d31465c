"""Password and PIN hashing: Argon2id for new hashes, bcrypt accepted; never on the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TypeVar

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from corebank.config import Settings

T = TypeVar("T")


def _lower_priority(nice: int) -> None:
    """Run this (hashing) thread `nice` steps below the event loop's thread (Linux only).

    On Linux, PRIO_PROCESS with who=0 is the calling thread; elsewhere it is the whole process,
    which would slow the event loop too, so nothing is changed there.
    """
    if not sys.platform.startswith("linux") or nice <= 0:
        return
    with contextlib.suppress(OSError):
        current = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, min(19, current + nice))


class PasswordHasher:
    """Hashes and verifies in its own threads, at most `concurrency` at once, at low priority.

    Argon2 takes tens of milliseconds of CPU and 64 MiB per call; run on the event loop it
    would freeze every other request, and run unbounded it would starve the loop of CPU. The
    threads run at nice PASSWORD_HASH_NICE (Linux), so during a login storm the event loop
    still gets the CPU the moment it has work: other requests keep their latency and logins
    take whatever CPU is left, which on an idle machine is all of it.
    """

    def __init__(self, settings: Settings) -> None:
        self._hash = PasswordHash(
            (
                Argon2Hasher(
                    time_cost=settings.argon2_time_cost,
                    memory_cost=settings.argon2_memory_cost,
                    parallelism=settings.argon2_parallelism,
                ),
                BcryptHasher(),
            )
        )
        self._threads = ThreadPoolExecutor(
            max_workers=settings.password_hash_concurrency,
            thread_name_prefix="corebank-hash",
            initializer=_lower_priority,
            initargs=(settings.password_hash_nice,),
        )
        self._dummy_hash = self._hash.hash("corebank-dummy-password-for-timing")

    def close(self) -> None:
        self._threads.shutdown(wait=False)

    async def _run(self, work: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._threads, work)

    async def hash(self, secret: str) -> str:
        return await self._run(partial(self._hash.hash, secret))

    async def verify(self, secret: str, stored: str | None) -> tuple[bool, str | None]:
        """(matches, new hash when the stored one should be upgraded).

        With no stored hash it still verifies against a dummy of the same cost, so an unknown
        user takes as long as a wrong password.
        """
        check = partial(self._verify_sync, secret, stored or self._dummy_hash)
        ok, updated = await self._run(check)
        return (ok and stored is not None), updated

    def _verify_sync(self, secret: str, stored: str) -> tuple[bool, str | None]:
        try:
            return self._hash.verify_and_update(secret, stored)
        except ValueError:  # e.g. bcrypt refusing a secret over 72 bytes
            return False, None
