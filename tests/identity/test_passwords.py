"""Password hashing leaves the event loop alone: own threads, bounded, at low CPU priority."""

import os
import threading

from corebank.identity.passwords import PasswordHasher
from tests.support import test_settings


def _hasher(**overrides: object) -> PasswordHasher:
    return PasswordHasher(test_settings("sqlite+aiosqlite:///:memory:", **overrides))


async def test_hashes_verify_and_wrong_passwords_do_not() -> None:
    hasher = _hasher()
    try:
        stored = await hasher.hash("Tr0ub4dor&3-horse")
        assert (await hasher.verify("Tr0ub4dor&3-horse", stored))[0] is True
        assert (await hasher.verify("tr0ub4dor&3-horse", stored))[0] is False
        assert (await hasher.verify("anything", None))[0] is False  # unknown user
    finally:
        hasher.close()


async def test_hashing_runs_in_its_threads_at_the_configured_priority() -> None:
    hasher = _hasher(password_hash_nice=7)

    def where() -> tuple[str, int]:
        return threading.current_thread().name, os.getpriority(os.PRIO_PROCESS, 0)

    try:
        name, nice = await hasher._run(where)
    finally:
        hasher.close()
    assert name.startswith("corebank-hash")
    assert name != threading.main_thread().name
    assert nice == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 7)
