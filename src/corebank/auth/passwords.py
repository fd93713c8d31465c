"""Password and PIN hashing: Argon2id for new hashes, bcrypt accepted; never on the event loop."""

from __future__ import annotations

from functools import partial

import anyio
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from corebank.config import Settings


class PasswordHasher:
    """Hashes and verifies in worker threads, at most `concurrency` at once.

    Argon2 takes tens of milliseconds of CPU and 64 MiB per call; run on the event loop it
    would freeze every other request, and run unbounded it would starve the loop of CPU.
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
        self._limiter = anyio.CapacityLimiter(settings.password_hash_concurrency)
        self._dummy_hash = self._hash.hash("corebank-dummy-password-for-timing")

    async def hash(self, secret: str) -> str:
        return await anyio.to_thread.run_sync(self._hash.hash, secret, limiter=self._limiter)

    async def verify(self, secret: str, stored: str | None) -> tuple[bool, str | None]:
        """(matches, new hash when the stored one should be upgraded).

        With no stored hash it still verifies against a dummy of the same cost, so an unknown
        user takes as long as a wrong password.
        """
        check = partial(self._verify_sync, secret, stored or self._dummy_hash)
        ok, updated = await anyio.to_thread.run_sync(check, limiter=self._limiter)
        return (ok and stored is not None), updated

    def _verify_sync(self, secret: str, stored: str) -> tuple[bool, str | None]:
        try:
            return self._hash.verify_and_update(secret, stored)
        except ValueError:  # e.g. bcrypt refusing a secret over 72 bytes
            return False, None
