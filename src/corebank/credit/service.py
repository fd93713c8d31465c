"""Credit checks: ask the bureau, store the score; on failure answer 503 with the last score."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import structlog

from corebank.core import audit, metrics
from corebank.core.resilience import CircuitOpenError
from corebank.credit import repository
from corebank.credit.bureau import Applicant, BureauError
from corebank.credit.context import CreditContext
from corebank.credit.errors import CreditBureauUnavailable
from corebank.customers.errors import CustomerNotFound
from corebank.models.customer import Customer

log = structlog.get_logger(__name__)
DEFAULT_RETRY_AFTER = 30


@dataclass(frozen=True)
class CreditResult:
    customer_id: int
    score: int
    checked_at: datetime
    source: str


async def run_credit_check(ctx: CreditContext, *, actor_id: int, customer_id: int) -> CreditResult:
    """Score the customer now and keep the result on their record."""
    applicant, customer = await _applicant(ctx, customer_id)
    try:
        score = await ctx.bureau.score(applicant)
    except (CircuitOpenError, httpx.HTTPError, BureauError) as exc:
        metrics.CREDIT_BUREAU_CALLS.labels(
            "breaker_open" if isinstance(exc, CircuitOpenError) else "failed"
        ).inc()
        log.warning("credit_bureau.unavailable", error=type(exc).__name__)
        raise _unavailable(exc, customer, ctx.clock.now()) from None
    metrics.CREDIT_BUREAU_CALLS.labels("ok").inc()
    now = ctx.clock.now()
    await _store_score(ctx, actor_id=actor_id, customer_id=customer_id, score=score, now=now)
    return CreditResult(
        customer_id=customer_id, score=score, checked_at=now, source=ctx.bureau.name
    )


async def _applicant(ctx: CreditContext, customer_id: int) -> tuple[Applicant, Customer]:
    """What the bureau is told about the live customer, and the record as read (404 if none)."""
    async with ctx.db.session() as session:
        customer = await repository.live_customer(session, customer_id)
    if customer is None:
        raise CustomerNotFound()
    applicant = Applicant(
        customer_id=customer.id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        date_of_birth=customer.date_of_birth.isoformat() if customer.date_of_birth else None,
        national_id=customer.national_id,
    )
    return applicant, customer


async def _store_score(
    ctx: CreditContext, *, actor_id: int, customer_id: int, score: int, now: datetime
) -> None:
    """Keep the score and its time on the customer's row, audited, in one transaction."""
    async with ctx.db.transaction() as session:
        stored = await repository.customer_for_update(session, customer_id)
        if stored is None:
            raise CustomerNotFound()
        before = {"credit_score": stored.credit_score}
        stored.credit_score, stored.credit_score_at = score, now
        audit.record(
            session,
            "customer.credit_checked",
            actor_id=actor_id,
            target_type="customer",
            target_id=customer_id,
            before=before,
            after={"credit_score": score, "source": ctx.bureau.name},
        )


def _unavailable(exc: Exception, customer: Customer, now: datetime) -> CreditBureauUnavailable:
    """503 carrying Retry-After (the breaker's wait when it is open) and the last stored score."""
    retry_after = (
        max(1, math.ceil(exc.retry_after))
        if isinstance(exc, CircuitOpenError)
        else DEFAULT_RETRY_AFTER
    )
    last: dict[str, Any] | None = None
    if customer.credit_score is not None and customer.credit_score_at is not None:
        last = {
            "score": customer.credit_score,
            "checked_at": customer.credit_score_at.isoformat(),
            "age_seconds": int((now - customer.credit_score_at).total_seconds()),
        }
    return CreditBureauUnavailable(retry_after=retry_after, last_score=last)
