"""Stored attestations on a schedule: `corebank worker` runs `write_if_due` every
ATTESTATION_INTERVAL_SECONDS (through `cli.common.periodic`).

Several workers may run it: the writers' lock and the conditional append on the previous
hash let one store at a time, and a worker stores nothing while the newest stored attestation
is younger than the interval, so the series gets one per interval however many run.
"""

from __future__ import annotations

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
