"""Credit checks: ask the bureau, store the score; on failure answer 503 with the last score."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import httpx
import structlog
from sqlalchemy import select

from corebank.core import audit, metrics
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.errors import NotFound, ServiceUnavailable
from corebank.core.resilience import CircuitOpenError
from corebank.credit.bureau import Applicant, Bureau, BureauError
from corebank.models.customer import Customer

log = structlog.get_logger(__name__)
DEFAULT_RETRY_AFTER = 30


@dataclass(frozen=True)
class CreditResult:
    customer_id: int
    score: int
    checked_at: datetime
    source: str


async def _applicant(db: Database, customer_id: int) -> tuple[Applicant, Customer]:
    async with db.session() as session:
        customer = await session.scalar(
            select(Customer).where(Customer.id == customer_id, Customer.deleted_at.is_(None))
        )
    if customer is None:
        raise NotFound("No such customer.", type="customer-not-found")
    applicant = Applicant(
        customer_id=customer.id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        date_of_birth=customer.date_of_birth.isoformat() if customer.date_of_birth else None,
        national_id=customer.national_id,
    )
    return applicant, customer


async def run_credit_check(
    db: Database, bureau: Bureau, clock: Clock, *, actor_id: int, customer_id: int
) -> CreditResult:
    """Score the customer now and keep the result on their record."""
    applicant, customer = await _applicant(db, customer_id)
    try:
        score = await bureau.score(applicant)
    except (CircuitOpenError, httpx.HTTPError, BureauError) as exc:
        metrics.CREDIT_BUREAU_CALLS.labels(
            "breaker_open" if isinstance(exc, CircuitOpenError) else "failed"
        ).inc()
        log.warning("credit_bureau.unavailable", error=type(exc).__name__)
        raise _unavailable(exc, customer, clock.now()) from None
    metrics.CREDIT_BUREAU_CALLS.labels("ok").inc()
    now = clock.now()
    async with db.transaction() as session:
        stored = await session.get(Customer, customer_id, with_for_update=True)
        if stored is None:
            raise NotFound("No such customer.", type="customer-not-found")
        before = {"credit_score": stored.credit_score}
        stored.credit_score, stored.credit_score_at = score, now
        audit.record(
            session,
            "customer.credit_checked",
            actor_id=actor_id,
            target_type="customer",
            target_id=customer_id,
            before=before,
            after={"credit_score": score, "source": bureau.name},
        )
    return CreditResult(customer_id=customer_id, score=score, checked_at=now, source=bureau.name)


def _unavailable(exc: Exception, customer: Customer, now: datetime) -> ServiceUnavailable:
    retry_after = (
        max(1, math.ceil(exc.retry_after))
        if isinstance(exc, CircuitOpenError)
        else DEFAULT_RETRY_AFTER
    )
    last = None
    if customer.credit_score is not None and customer.credit_score_at is not None:
        last = {
            "score": customer.credit_score,
            "checked_at": customer.credit_score_at.isoformat(),
            "age_seconds": int((now - customer.credit_score_at).total_seconds()),
        }
    return ServiceUnavailable(
        "The credit bureau is unavailable; the last stored score, if any, is included.",
        type="credit-bureau-unavailable",
        headers={"Retry-After": str(retry_after)},
        extra={"last_score": last},
    )
