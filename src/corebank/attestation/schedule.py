"""Stored attestations on a schedule (ATTESTATION_INTERVAL_SECONDS), run by `corebank worker`.

Several workers may run it: the writers' lock and the conditional append on the previous
hash let one store at a time, and a worker stores nothing while the newest stored attestation
is younger than the interval, so the series gets one per interval however many run.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog

from corebank.attestation import service
from corebank.attestation.context import AttestationContext
from corebank.attestation.errors import AttestationConflict

log = structlog.get_logger(__name__)


async def write_if_due(ctx: AttestationContext, *, interval_seconds: float) -> bool:
    """Store an attestation unless one was stored less than the interval ago; whether it did."""
    latest = await service.latest_issued_at(ctx)
    if latest is not None and ctx.clock.now() - latest < timedelta(seconds=interval_seconds):
        return False
    try:
        stored = await service.write_attestation(ctx)
    except AttestationConflict:
        log.info("attestation.skipped", reason="another writer stored one meanwhile")
        return False
    log.info(
        "attestation.stored",
        attestation_id=stored.id,
        hash=stored.hash,
        ok=stored.document["attestation"]["ok"],
    )
    return True


async def run_schedule(ctx: AttestationContext, *, interval_seconds: float) -> None:
    """Store one attestation per interval until cancelled; a failed run is logged and retried
    at the next tick."""
    while True:
        try:
            await write_if_due(ctx, interval_seconds=interval_seconds)
        except Exception as exc:  # a database outage must not end the worker
            log.warning("attestation.failed", error=type(exc).__name__)
        await asyncio.sleep(interval_seconds)


@contextlib.asynccontextmanager
async def scheduled(ctx: AttestationContext, interval_seconds: int | None):  # type: ignore[no-untyped-def]
    """Run the schedule in the background for the length of the block (off when None)."""
    task = (
        asyncio.create_task(run_schedule(ctx, interval_seconds=interval_seconds))
        if interval_seconds
        else None
    )
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
