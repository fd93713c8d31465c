"""`corebank worker`: the outbox dispatcher as its own process, and an audit sealer.

Besides delivering events, the worker seals the audit chain: every OUTBOX_POLL_SECONDS it seals
whatever any process committed and left unsealed (one that crashed before its own seal, say).
"""

from __future__ import annotations

import asyncio
import signal

import structlog

from corebank.core.audit_sealer import AuditSealer
from corebank.events.dispatcher import Dispatcher, DispatchReport

log = structlog.get_logger(__name__)


async def run_worker(
    dispatcher: Dispatcher, sealer: AuditSealer, *, once: bool = False
) -> DispatchReport | None:
    """Dispatch and seal until SIGINT/SIGTERM (or, with `once`, until nothing is due)."""
    try:
        if once:
            await sealer.seal_now()
            if not dispatcher.try_lock():
                log.warning("worker.standby", reason="another dispatcher holds the SQLite lock")
                return None
            return await dispatcher.drain()
        sealer.start(sweep_seconds=dispatcher.settings.outbox_poll_seconds)
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, dispatcher.request_stop)
        await dispatcher.run_forever()
        return None
    finally:
        await dispatcher.stop()
        await sealer.stop()
