"""Idempotency-Key: the first outcome of a money-moving request, replayed for 24 hours.

A key is scoped per (user, route template). The request's fingerprint (method, route, path
parameters, canonical body, whether a PIN was sent) is stored with the outcome; the same key
with another fingerprint is 422. The key row is written in the same transaction as the
postings. A business refusal (insufficient funds, frozen account ...) is stored too: its work
runs in a savepoint that is rolled back, then the refusal is stored in the same transaction.

Concurrent duplicates: on PostgreSQL the first one holds a transaction-level advisory lock on
the key, and a duplicate that cannot take it gets 409 (in progress); on SQLite writers are
serialized (BEGIN IMMEDIATE), so a duplicate waits and then replays the stored outcome.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core import audit, metrics, outbox
from corebank.core.context import correlation_id_var
from corebank.core.db import Database
from corebank.core.errors import PROBLEM_TYPE_BASE, CorebankError
from corebank.core.money import parse_amount
from corebank.ledger import idempotency_repository as repository
from corebank.ledger.context import LedgerContext
from corebank.ledger.errors import IdempotencyInProgress, IdempotencyKeyReused
from corebank.ledger.idempotency_repository import StoredOutcome

KEY_LIFETIME = timedelta(hours=24)
ACCEPTED = 202
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class IdempotencyRequest:
    """One request's claim on a key, and what identifies the request itself."""

    user_id: int
    route: str
    key: str
    fingerprint: str
    instance: str = ""


@dataclass(frozen=True)
class Outcome:
    """What the client is told: a status and a body (a replay says so)."""

    status: int
    body: dict[str, Any] = field(default_factory=dict)
    replayed: bool = False


def fingerprint(
    *,
    method: str,
    route: str,
    path_params: Mapping[str, Any],
    body: Mapping[str, Any],
    pin_present: bool,
) -> str:
    """SHA-256 over the request's identity (never the PIN itself, only whether one came)."""
    content = {
        "method": method.upper(),
        "route": route,
        "path": {k: str(v) for k, v in path_params.items()},
        "body": dict(body),
        "pin": pin_present,
    }
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def problem_body(exc: CorebankError, instance: str) -> dict[str, Any]:
    """The problem+json body the error handler renders for `exc` (kept for replays)."""
    problem_type = exc.problem_type
    body: dict[str, Any] = {
        "type": problem_type
        if problem_type.startswith(("http", "about:"))
        else PROBLEM_TYPE_BASE + problem_type,
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        "instance": instance,
        "correlation_id": correlation_id_var.get(),
    }
    body.update(exc.extra)
    return body


@dataclass(frozen=True)
class Answer:
    """What a `work` returns when its status is not the route's usual one (a 202 when the
    request waits for approval); a plain dict gets the usual status."""

    status: int
    body: dict[str, Any]


Work = Callable[[AsyncSession], Awaitable[dict[str, Any] | Answer]]
_QUEUES = (audit.PENDING_KEY, outbox.PENDING_KEY)  # rows a transaction writes at its commit


async def execute(
    ctx: LedgerContext,
    *,
    request: IdempotencyRequest | None,
    work: Work,
    status: int,
    kind: str,
) -> Outcome:
    """Run `work` (a write transaction) at most once per key; replay the stored outcome."""
    try:
        outcome = await _execute(ctx, request, work, status=status)
    except CorebankError as exc:
        if getattr(exc, "replayable", False):
            metrics.LEDGER_TRANSACTIONS.labels(kind, "refused").inc()
        raise
    _observe(kind, outcome)
    return outcome


def _observe(kind: str, outcome: Outcome) -> None:
    if outcome.replayed:
        metrics.IDEMPOTENT_REPLAYS.inc()
        return
    if outcome.status == ACCEPTED:
        metrics.LEDGER_TRANSACTIONS.labels(kind, "awaiting_approval").inc()
        return
    metrics.LEDGER_TRANSACTIONS.labels(kind, "posted").inc()
    totals = outcome.body.get("totals") or [outcome.body]  # a multi-leg one: per currency
    for total in totals:
        amount, currency = total.get("amount"), total.get("currency")
        if isinstance(amount, str) and isinstance(currency, str):
            with contextlib.suppress(ValueError):
                minor = parse_amount(amount, currency, allow_zero=True)
                metrics.LEDGER_AMOUNT.labels(kind, currency).inc(minor)


async def _execute(
    ctx: LedgerContext, request: IdempotencyRequest | None, work: Work, *, status: int
) -> Outcome:
    if request is None:
        return _outcome(await ctx.db.run(work), status)

    async def attempt(session: AsyncSession) -> tuple[Outcome, CorebankError | None]:
        await _claim(session, request)
        now = ctx.clock.now()
        found = await _find(session, request, now=now)
        if found is not None:
            return _replay(found), None
        queued = {key: len(session.info.get(key, [])) for key in _QUEUES}
        try:
            async with session.begin_nested():
                done = _outcome(await work(session), status)
        except CorebankError as exc:
            if not getattr(exc, "replayable", False):
                raise
            for key, count in queued.items():  # the refused work's audit rows and events go
                del session.info.setdefault(key, [])[count:]
            refusal = problem_body(exc, request.instance)
            await _store(session, request, status=exc.status, body=refusal, now=now)
            return Outcome(exc.status, refusal), exc
        await _store(session, request, status=done.status, body=done.body, now=now)
        return done, None

    outcome, refusal = await ctx.db.run(attempt)
    if refusal is not None:
        raise refusal
    return outcome


def _outcome(result: dict[str, Any] | Answer, status: int) -> Outcome:
    if isinstance(result, Answer):
        return Outcome(result.status, result.body)
    return Outcome(status, result)


async def _claim(session: AsyncSession, request: IdempotencyRequest) -> None:
    """PostgreSQL: hold the key's advisory lock for this transaction, or 409 if another has it."""
    if session.bind.dialect.name != "postgresql":
        return
    name = f"idempotency:{request.user_id}:{request.route}:{request.key}"
    if not await repository.try_advisory_lock(session, name):
        raise IdempotencyInProgress(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            headers={"Retry-After": "1"},
        )


async def _find(
    session: AsyncSession, request: IdempotencyRequest, *, now: datetime
) -> StoredOutcome | None:
    """The outcome stored under the request's key, unless it has expired (then deleted)."""
    row = await repository.find(
        session, user_id=request.user_id, route=request.route, key=request.key
    )
    if row is None:
        return None
    if row.expires_at <= now:
        await repository.delete_key(session, row.id)
        return None
    if row.fingerprint != request.fingerprint:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different request; use a new key."
        )
    return row


def _replay(row: StoredOutcome) -> Outcome:
    return Outcome(row.response_status, dict(row.response_body), replayed=True)


async def _store(
    session: AsyncSession,
    request: IdempotencyRequest,
    *,
    status: int,
    body: dict[str, Any],
    now: datetime,
) -> None:
    await repository.store(
        session,
        user_id=request.user_id,
        route=request.route,
        key=request.key,
        fingerprint=request.fingerprint,
        response_status=status,
        response_body=body,
        created_at=now,
        expires_at=now + KEY_LIFETIME,
    )


async def purge_expired(db: Database, *, now: datetime, batch: int = 1000) -> int:
    """Delete keys past their 24 hours (a periodic task). Returns how many went."""
    removed = 0
    while True:

        async def work(session: AsyncSession) -> int:
            ids = await repository.expired_key_ids(session, now=now, limit=batch)
            if ids:
                await repository.delete_keys(session, ids)
            return len(ids)

        count = await db.run(work)
        removed += count
        if count < batch:
            return removed
