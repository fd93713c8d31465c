"""Who seals the audit chain, and when (core/audit.py says how).

`seal(db)` seals every committed unsealed row, in batches of short transactions. Any process may
call it at any time: the chain head's lock makes sealers take turns, and each turn seals what
the ones before it left. Three callers:

- the app: after a commit that wrote audit rows, `Database` tells the container's
  `AuditSealer`, which seals a moment later (debounced, so a burst of commits is one pass), in
  a task that starts and stops with the app and seals what is left when it stops;
- `corebank worker`: the same sealer, also sweeping every OUTBOX_POLL_SECONDS;
- `corebank audit seal`: one `seal(db)` from the command line.

A process that dies between a commit and its seal loses nothing: the rows are committed, and
the next pass of any sealer seals them.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import structlog

from corebank.core import audit
from corebank.core.db import Database

log = structlog.get_logger(__name__)

#: Rows sealed per transaction (the head stays locked for one batch).
SEAL_BATCH = 500
#: Longest pause between passes while passes keep failing (database down).
MAX_ERROR_BACKOFF_SECONDS = 30.0


async def seal(db: Database, *, batch: int = SEAL_BATCH, wait: bool = True) -> int:
    """Seal every committed unsealed row, `batch` per transaction; how many were sealed.
    With `wait=False`, raises audit.SealerBusy when another sealer holds the chain's head."""
    total = 0
    while True:
        async with db.transaction() as session:
            sealed = await audit.seal_batch(session, limit=batch, wait=wait)
        total += sealed
        if sealed < batch:
            return total


class AuditSealer:
    """The process's background sealer: woken by `after_transaction` (a commit hook) or
    `notify()`, `start()`/`stop()` with the app. Before `start()` (a command, a test without
    lifespan) it only remembers that rows wait, and `stop()` seals them."""

    def __init__(self, db: Database, *, delay_seconds: float, batch: int = SEAL_BATCH) -> None:
        self.db = db
        self.delay_seconds = delay_seconds
        self.batch = batch
        self._due = False  # rows were committed since the last pass began
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._sweep_seconds: float | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def notify(self) -> None:
        """Rows were committed: seal them soon (never blocks)."""
        self._due = True
        self._wake.set()

    async def after_transaction(self, info: dict[str, Any]) -> None:
        """A `Database.commit_hooks` hook: `notify` when the transaction wrote audit rows."""
        if audit.wrote_rows(info):
            self.notify()

    def start(self, *, sweep_seconds: float | None = None) -> None:
        """Run the loop in the running event loop; with `sweep_seconds`, also pass that often
        when nothing was committed here (the worker, which seals other processes' rows).

        The first pass runs at once: rows a crashed process left are sealed on restart.
        """
        if self.running:
            return
        self._sweep_seconds = sweep_seconds
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self.notify()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="audit-sealer")

    async def stop(self, *, grace_seconds: float = 10.0) -> None:
        """Stop the loop (a pass under way finishes first), then seal what is left."""
        task, self._task = self._task, None
        self._stopping.set()
        self._wake.set()
        if task is not None:
            _, pending = await asyncio.wait({task}, timeout=grace_seconds)
            if pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._due:
            await self._pass()

    async def seal_now(self, *, wait: bool = True) -> int:
        """One full pass, now (the worker's `--once`, tests)."""
        self._due = False
        return await seal(self.db, batch=self.batch, wait=wait)

    async def _run(self) -> None:
        failures = 0
        while True:
            await self._wait_for_work()
            await self._sleep(self._pause(failures))  # the debounce: later commits join in
            if self._stopping.is_set():
                return  # stop() seals what is left
            self._wake.clear()  # a commit from here on needs another pass
            failures = 0 if await self._pass() else failures + 1

    async def _wait_for_work(self) -> None:
        """Until a commit (or stop) wakes the loop, or the sweep interval passes."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self._sweep_seconds)

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    def _pause(self, failures: int) -> float:
        if not failures:
            return self.delay_seconds
        return min(max(self.delay_seconds, 0.1) * 2**failures, MAX_ERROR_BACKOFF_SECONDS)

    async def _pass(self) -> bool:
        """Seal everything committed so far; False (logged, retried later) if it failed."""
        try:
            sealed = await self.seal_now(wait=False)
        except audit.SealerBusy:  # another process is sealing: look again after the delay
            self._due = True
            self._wake.set()
            return True
        except Exception:
            self._due = True
            self._wake.set()
            log.exception("audit.seal_failed")
            return False
        if sealed:
            log.debug("audit.sealed", rows=sealed)
        return True
