"""The first-come, first-served gate in front of the connection pool."""

from __future__ import annotations

import asyncio
import contextvars

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout

from corebank.core.gate import FifoGate


async def test_waiters_get_in_in_arrival_order_and_nobody_barges() -> None:
    gate = FifoGate(1, timeout=5)
    order: list[str] = []
    release_first = asyncio.Event()

    async def hold(name: str, until: asyncio.Event | None = None) -> None:
        async with gate.place():
            order.append(name)
            if until is not None:
                await until.wait()

    first = asyncio.create_task(hold("first", release_first))
    await asyncio.sleep(0)
    waiters = [asyncio.create_task(hold(f"waiter-{n}")) for n in range(3)]
    await asyncio.sleep(0)
    assert gate.waiting == 3
    release_first.set()
    await asyncio.sleep(0)
    late = asyncio.create_task(hold("newcomer"))  # arrives as the place is being handed over
    await asyncio.gather(first, *waiters, late)
    assert order == ["first", "waiter-0", "waiter-1", "waiter-2", "newcomer"]


async def test_a_wait_longer_than_the_timeout_is_the_pools_timeout() -> None:
    gate = FifoGate(1, timeout=0.05)
    async with gate.place():
        with pytest.raises(PoolTimeout):
            # another request's task (one created in here would inherit this task's place)
            await asyncio.create_task(_enter(gate), context=contextvars.Context())
    assert gate.waiting == 0
    await asyncio.wait_for(_enter(gate), 1)  # the place is free again


async def test_a_cancelled_waiter_passes_its_place_on() -> None:
    gate = FifoGate(1, timeout=5)
    held = asyncio.Event()
    done = asyncio.Event()

    async def holder() -> None:
        async with gate.place():
            held.set()
            await done.wait()

    owner = asyncio.create_task(holder())
    await held.wait()
    cancelled = asyncio.create_task(_enter(gate))
    after = asyncio.create_task(_enter(gate))
    await asyncio.sleep(0)
    cancelled.cancel()
    done.set()
    await asyncio.wait_for(after, 1)  # not stuck behind the cancelled waiter
    await owner
    assert cancelled.cancelled()


async def test_a_task_holding_a_place_is_not_gated_again() -> None:
    gate = FifoGate(1, timeout=0.05)
    async with gate.place():
        await _enter(gate)  # a read inside the task's own transaction: no wait, no timeout


async def _enter(gate: FifoGate) -> None:
    async with gate.place():
        await asyncio.sleep(0)


async def test_a_task_started_inside_a_place_waits_for_its_own() -> None:
    """It inherits the context, not the place: otherwise it would use a connection the gate
    never counted."""
    gate = FifoGate(1, timeout=0.05)
    async with gate.place():
        with pytest.raises(PoolTimeout):
            await asyncio.create_task(_enter(gate))
