"""`corebank worker`: the outbox dispatcher as its own process."""

from __future__ import annotations

import asyncio
import signal

import structlog

from corebank.events.dispatcher import Dispatcher, DispatchReport

log = structlog.get_logger(__name__)


async def run_worker(dispatcher: Dispatcher, *, once: bool = False) -> DispatchReport | None:
    """Dispatch until SIGINT/SIGTERM (or, with `once`, until nothing is due)."""
    try:
        if once:
            if not dispatcher.try_lock():
                log.warning("worker.standby", reason="another dispatcher holds the SQLite lock")
                return None
            return await dispatcher.drain()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, dispatcher.request_stop)
        await dispatcher.run_forever()
        return None
    finally:
        await dispatcher.stop()
