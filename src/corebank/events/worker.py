"""`corebank worker`: the outbox dispatcher as its own process."""

from __future__ import annotations

import asyncio
import signal

import structlog

from corebank.config import Settings
from corebank.core.db import Database
from corebank.core.logging import configure_logging
from corebank.core.mail import build_mailer
from corebank.events.dispatcher import Dispatcher, DispatchReport
from corebank.events.urls import UrlGuard

log = structlog.get_logger(__name__)


def build_dispatcher(settings: Settings, db: Database) -> Dispatcher:
    """A dispatcher wired from settings (SMTP or log mailer, URL guard)."""
    return Dispatcher(
        db=db,
        settings=settings,
        mailer=build_mailer(settings),
        guard=UrlGuard(allow_private=settings.allow_private_webhooks),
    )


async def run_worker(settings: Settings, *, once: bool = False) -> DispatchReport | None:
    """Dispatch until SIGINT/SIGTERM (or, with `once`, until nothing is due)."""
    configure_logging(level=settings.log_level, fmt=settings.effective_log_format)
    db = Database(settings)
    dispatcher = build_dispatcher(settings, db)
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
        await db.dispose()
