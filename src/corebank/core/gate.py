"""A first-come, first-served gate in front of the connection pool.

SQLAlchemy's async pool hands a returned connection to whoever asks next, ahead of the
requests already waiting, and a waiter that then finds the pool empty goes to the back of the
queue: under saturation some requests wait many turns and the p99 grows with them
(docs/performance.md). The gate admits as many holders as the pool has connections and hands a
released place straight to the longest waiter, so nobody is overtaken.

A task already holding a place (a read inside a transaction, say) is not gated again: it would
otherwise wait for a place held by itself. The holder is the task itself, not its context: a
task it starts inherits the context but waits for a place of its own.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy.exc import TimeoutError as PoolTimeout

_holder: ContextVar[asyncio.Task[object] | None] = ContextVar(
    "corebank_pool_gate_holder", default=None
)


class FifoGate:
    """At most `size` holders at a time; waiters get in strictly in arrival order."""

    def __init__(self, size: int, *, timeout: float) -> None:
        self.size = size
        self.timeout = timeout
        self._free = size
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return sum(1 for waiter in self._waiters if not waiter.done())

    @asynccontextmanager
    async def place(self) -> AsyncIterator[None]:
        """Hold a place for the block (at once if this task already holds one)."""
        task = asyncio.current_task()
        if task is not None and _holder.get() is task:
            yield
            return
        await self._acquire()
        token = _holder.set(task)
        try:
            yield
        finally:
            _holder.reset(token)
            self._release()

    async def _acquire(self) -> None:
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(granted)
        try:
            async with asyncio.timeout(self.timeout):
                await granted
        except BaseException as exc:
            if granted.done() and not granted.cancelled():
                self._release()  # handed a place just as we gave up: pass it on
            else:
                granted.cancel()
                if granted in self._waiters:
                    self._waiters.remove(granted)
            if isinstance(exc, TimeoutError):
                raise PoolTimeout(
                    f"no database connection within {self.timeout:g} s (all {self.size} in use)"
                ) from exc
            raise

    def _release(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)  # the place goes straight to the longest waiter
                return
        self._free += 1
