"""Attest the ledger: run the invariants from the checkpoint, sign the result, and (for the
stored series) append it after the previous one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.attestation import checks, repository
from corebank.attestation.checks import LedgerResult
from corebank.attestation.context import AttestationContext
from corebank.attestation.errors import AttestationConflict
from corebank.attestation.schemas import StoredAttestationOut
from corebank.attestation.signing import document_hash
from corebank.core.money import format_amount
from corebank.core.pagination import CursorCodec, Page, PageParams, keyset_page
from corebank.ledger import verify_repository
from corebank.models.attestation import Attestation

log = structlog.get_logger(__name__)

FORMAT_VERSION = 1


async def attest(
    ctx: AttestationContext, *, full: bool = False, move_checkpoint: bool = True
) -> dict[str, Any]:
    """A signed attestation of the ledger as it is now (not stored). It moves the checkpoint
    unless told not to: an anonymous read (ATTESTATION_PUBLIC) writes nothing."""
    document, _ = await _attest(ctx, full=full, store=False, move_checkpoint=move_checkpoint)
    return document


async def write_attestation(ctx: AttestationContext, *, full: bool = False) -> StoredAttestationOut:
    """A signed attestation appended to the stored series; 409 if another writer was first."""
    _, row = await _attest(ctx, full=full, store=True)
    if row is None:  # _save raises before this; kept for the type checker
        raise AttestationConflict()
    return StoredAttestationOut.model_validate(row)


async def latest_issued_at(ctx: AttestationContext) -> datetime | None:
    """When the newest stored attestation was issued (None before the first)."""
    async with ctx.db.read() as session:
        return await repository.latest_issued_at(session)


async def list_attestations(
    ctx: AttestationContext, *, codec: CursorCodec, page: PageParams
) -> Page[StoredAttestationOut]:
    """One page of the stored series, newest first."""
    async with ctx.db.session() as session:
        rows, next_cursor = await keyset_page(
            session,
            repository.listing(),
            id_column=Attestation.id,
            params=page,
            codec=codec,
            scope="attestations",
        )
    return Page[StoredAttestationOut](
        items=[StoredAttestationOut.model_validate(row) for row in rows], next_cursor=next_cursor
    )


async def _attest(
    ctx: AttestationContext, *, full: bool, store: bool, move_checkpoint: bool = True
) -> tuple[dict[str, Any], Attestation | None]:
    now = ctx.clock.now()
    async with ctx.db.session() as session:
        if ctx.db.dialect == "postgresql":
            await verify_repository.use_repeatable_read(session)
        result = await checks.check_ledger(
            session, full=full, now=now, settle_seconds=ctx.settings.attestation_settle_seconds
        )
        schema_version = await repository.schema_version(session)
        audit = await repository.audit_head(session)
        previous = await repository.latest_hash(session)
    body = _body(result, now=now, schema_version=schema_version, audit=audit, previous=previous)
    document = ctx.signer.sign(body)
    if not store and not move_checkpoint:
        return document, None
    row = await _save(ctx, result, document, now=now, previous=previous, store=store)
    return document, row


async def _save(
    ctx: AttestationContext,
    result: LedgerResult,
    document: dict[str, Any],
    *,
    now: datetime,
    previous: str | None,
    store: bool,
) -> Attestation | None:
    """Store the document after `previous` (if asked) and move the checkpoint (if every
    invariant held), under the writers' lock; a writer that lost the race stores nothing."""
    if not store and not result.ok:
        return None
    async with ctx.db.transaction() as session:
        locked = await repository.try_lock(session)
        row = None
        if store:
            if not locked or await repository.latest_hash(session) != previous:
                raise AttestationConflict()
            row = await repository.store(
                session,
                issued_at=now,
                document=document,
                digest=document_hash(document),
                previous_hash=previous,
            )
        if locked and result.ok:
            await _move_checkpoint(session, result, now=now)
    return row


async def _move_checkpoint(session: AsyncSession, result: LedgerResult, *, now: datetime) -> None:
    full = result.mode == "full"
    moved = await repository.save_checkpoint(
        session,
        expected_entry_id=None if full else result.base.last_entry_id,
        values=checks.checkpoint_values(result, now=now),
    )
    if not moved:
        log.info("attestation.checkpoint_skipped", reason="another run moved it meanwhile")
        return
    if full:
        await repository.clear_marks(session)
    await repository.save_marks(session, result.new_marks)


def _body(
    result: LedgerResult,
    *,
    now: datetime,
    schema_version: str | None,
    audit: tuple[int, str, int],
    previous: str | None,
) -> dict[str, Any]:
    """The attestation object: plain JSON, money as strings, counts as integers."""
    return {
        "version": FORMAT_VERSION,
        "issued_at": now.isoformat(),
        "schema_version": schema_version,
        "ok": result.ok,
        "invariants": [
            {"name": c.name, "ok": c.ok, "problems": c.problems, "examples": c.examples}
            for c in result.checks.values()
        ],
        "currencies": {
            code: {
                "balances": format_amount(totals.balances, code),
                "postings": format_amount(totals.postings, code),
                "open_holds": format_amount(totals.open_holds, code),
            }
            for code, totals in sorted(result.currencies.items())
        },
        "journal": {
            "entries": result.entries,
            "last_entry_id": result.last_entry_id or None,
            "postings": result.postings,
        },
        "audit": {"sealed_length": audit[0], "head_hash": audit[1], "pending": audit[2]},
        "checkpoint": {
            "mode": result.mode,
            "after_entry_id": result.base.last_entry_id,
            "through_entry_id": result.last_entry_id,
            "entries_checked": result.entries_checked,
            "postings_checked": result.postings_checked,
            "checkpoint_entry_id": result.settled_entry_id
            if result.ok
            else result.base.last_entry_id,
        },
        "previous_hash": previous,
    }
