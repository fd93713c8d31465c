"""Strong customer authentication for money out, bound to amount, currency, source and payee.

A customer moving money from their account to one that is not theirs needs a fresh factor.
The money path calls `authorize_transfer` inside its transaction, with the accounts locked:

- exempt (SCA off, staff, own accounts, a trusted payee, or low value within the running
  limits since the last strong authentication): the move goes on;
- `X-Transaction-PIN` right (checked before the transaction): that was the factor;
- an authorization code (`X-SCA-Authorization`) from a completed challenge: it must cover
  exactly this amount, currency, source and payee, is consumed with the move, or refused (403);
- otherwise `ChallengeNeeded`: the caller rolls back, then `require_challenge` stores a
  challenge for exactly these terms and answers 401 `sca-required` with it.

A set of payments (a multi-leg transaction) goes through `authorize_payment_set` the same way,
with terms that cover the whole set (`payment_set_terms`: a digest of every leg, in order, and
a summary to read): one challenge, one code, for exactly those legs.

Completing a challenge (`complete`) with a TOTP code or the PIN answers the one-time
authorization code; wrong factors count toward the factor's own lockout and are audited.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any, NoReturn

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core import audit, metrics, outbox
from corebank.core.errors import CorebankError
from corebank.core.money import format_amount, parse_amount
from corebank.identity import mfa
from corebank.identity.pin import verify_transaction_pin
from corebank.identity.principal import Principal
from corebank.identity.tokens import token_digest
from corebank.models.mfa import ScaChallenge
from corebank.models.user import User
from corebank.sca import repository
from corebank.sca.context import ScaContext
from corebank.sca.errors import (
    ChallengeNotFound,
    ChallengeNotPending,
    NoFactor,
    ScaAuthorizationInvalid,
    ScaRequired,
)

HEADER = "X-SCA-Authorization"
TRANSFER = "transfer"
TRUSTED_PAYEE = "trusted_payee"
PAYMENT_SET = "payment_set"


@dataclass(frozen=True)
class Terms:
    """What one authorization covers, exactly; `legs_summary` only describes a set's legs to
    the customer (its `legs_digest` is what binds them)."""

    purpose: str
    payee_account_id: int | None
    amount_minor: int | None = None
    currency: str | None = None
    source_account_id: int | None = None
    legs_digest: str | None = None
    legs_summary: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class PaymentLeg:
    """One payment of a set, as a strong authentication of the set covers it."""

    source_account_id: int
    payee_account_id: int
    amount_minor: int
    currency: str


def payment_set_terms(legs: Sequence[PaymentLeg]) -> Terms:
    """The terms of a set of payments: the SHA-256 of its canonical legs (source, payee, minor
    amount, currency; in the request's order), so a code for it covers exactly these legs, and
    a summary (leg count, totals per currency, payees) for the customer to read."""
    canonical = [
        [g.source_account_id, g.payee_account_id, g.amount_minor, g.currency] for g in legs
    ]
    totals: dict[str, int] = {}
    for leg in legs:
        totals[leg.currency] = totals.get(leg.currency, 0) + leg.amount_minor
    return Terms(
        purpose=PAYMENT_SET,
        payee_account_id=None,
        legs_digest=hashlib.sha256(orjson.dumps(canonical)).hexdigest(),
        legs_summary={
            "leg_count": len(legs),
            "totals": [
                {"currency": currency, "amount": format_amount(amount, currency)}
                for currency, amount in totals.items()
            ],
            "payee_account_ids": list(dict.fromkeys(leg.payee_account_id for leg in legs)),
        },
    )


class ChallengeNeeded(Exception):
    """Raised inside a transaction: roll back, then call `require_challenge` with these."""

    def __init__(self, user_id: int, terms: Terms) -> None:
        super().__init__(terms.purpose)
        self.user_id = user_id
        self.terms = terms


@dataclass(frozen=True)
class Authorization:
    code: str
    expires_at: datetime


# --- challenges ----------------------------------------------------------------------------


async def require_challenge(ctx: ScaContext, *, user_id: int, terms: Terms) -> NoReturn:
    """Store a challenge for `terms` (its own transaction) and raise 401 `sca-required`."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        challenge = await repository.add_challenge(
            session,
            ScaChallenge(
                user_id=user_id,
                status="pending",
                failed_count=0,
                created_at=now,
                expires_at=now + timedelta(minutes=ctx.settings.sca_challenge_minutes),
                **asdict(terms),
            ),
        )
        _record(session, "sca.challenge_created", challenge)
    metrics.SCA_CHALLENGES.labels("created").inc()
    raise ScaRequired(
        "This needs a fresh factor: complete the challenge with your TOTP code or PIN "
        f"(POST /api/v1/auth/challenges/{challenge.id}), then retry with the code it answers "
        f"in {HEADER}.",
        challenge=challenge_view(challenge),
    )


def challenge_view(challenge: ScaChallenge) -> dict[str, Any]:
    """The challenge as the client sees it: what it covers and until when."""
    amount = None
    if challenge.amount_minor is not None and challenge.currency is not None:
        amount = format_amount(challenge.amount_minor, challenge.currency)
    return {
        "id": challenge.id,
        "purpose": challenge.purpose,
        "status": challenge.status,
        "expires_at": challenge.expires_at.isoformat(),
        "amount": amount,
        "currency": challenge.currency,
        "source_account_id": challenge.source_account_id,
        "payee_account_id": challenge.payee_account_id,
        "legs_digest": challenge.legs_digest,
        "legs_summary": challenge.legs_summary,
    }


async def get_challenge(ctx: ScaContext, *, principal: Principal, challenge_id: int) -> dict:
    async with ctx.db.read() as session:
        challenge = await repository.challenge(session, challenge_id)
        if challenge is None or challenge.user_id != principal.user.id:
            raise ChallengeNotFound("No such challenge.")
        return challenge_view(challenge)


async def complete(
    ctx: ScaContext,
    *,
    principal: Principal,
    challenge_id: int,
    code: str | None,
    pin: str | None,
) -> Authorization:
    """Check the factor for the caller's pending challenge; the one-time authorization code."""
    user_id = principal.user.id
    await _pending(ctx, user_id=user_id, challenge_id=challenge_id)
    try:
        await _verify_factor(ctx, user_id=user_id, code=code, pin=pin)
    except CorebankError:
        await _count_failure(ctx, challenge_id)
        raise
    authorization = secrets.token_urlsafe(32)
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        challenge = await _pending_in(session, ctx, user_id=user_id, challenge_id=challenge_id)
        challenge.status, challenge.completed_at = "completed", now
        challenge.code_hash = token_digest(authorization)
        await _strongly_authenticated(session, user_id, now)
        _record(session, "sca.challenge_completed", challenge, factor="pin" if pin else "totp")
        expires_at = challenge.expires_at
    metrics.SCA_CHALLENGES.labels("completed").inc()
    return Authorization(code=authorization, expires_at=expires_at)


async def _verify_factor(
    ctx: ScaContext, *, user_id: int, code: str | None, pin: str | None
) -> None:
    if code is not None:
        if not await mfa.verify_code(ctx.auth, user_id=user_id, code=code):
            raise NoFactor("You have no second factor; complete the challenge with your PIN.")
        return
    verified = await verify_transaction_pin(
        ctx.auth, user_id=user_id, pin=pin, now=ctx.clock.now(), required=True
    )
    if not verified:
        raise NoFactor("Set a transaction PIN or a second factor first.")


async def _pending(ctx: ScaContext, *, user_id: int, challenge_id: int) -> None:
    """Refuse before a factor attempt is spent on a challenge that cannot be completed."""
    async with ctx.db.read() as session:
        await _pending_in(session, ctx, user_id=user_id, challenge_id=challenge_id, lock=False)


async def _pending_in(
    session: AsyncSession, ctx: ScaContext, *, user_id: int, challenge_id: int, lock: bool = True
) -> ScaChallenge:
    challenge = await repository.challenge(session, challenge_id, for_update=lock)
    if challenge is None or challenge.user_id != user_id:
        raise ChallengeNotFound("No such challenge.")
    if challenge.status != "pending" or challenge.expires_at <= ctx.clock.now():
        raise ChallengeNotPending("The challenge was completed already or has expired.")
    return challenge


async def _count_failure(ctx: ScaContext, challenge_id: int) -> None:
    async with ctx.db.transaction() as session:
        challenge = await repository.challenge(session, challenge_id, for_update=True)
        if challenge is not None:
            challenge.failed_count += 1
            _record(session, "sca.challenge_failed", challenge)
    metrics.SCA_CHALLENGES.labels("failed").inc()


# --- the gate on the money path ------------------------------------------------------------


async def authorize_transfer(
    session: AsyncSession,
    ctx: ScaContext,
    *,
    actor: Principal,
    terms: Terms,
    payee_owner_user_id: int | None,
    authorization: str | None,
    pin_verified: bool,
) -> None:
    """Let the transfer through, consume its authorization, or raise `ChallengeNeeded`.

    Runs inside the money transaction with the accounts locked (see the module docstring)."""
    settings = ctx.settings
    if not settings.sca_required or actor.is_staff:
        return
    user_id = actor.user.id
    if payee_owner_user_id == user_id and settings.sca_exempt_own_accounts:
        metrics.SCA_CHALLENGES.labels("exempt_own_accounts").inc()
        return
    now = ctx.clock.now()
    if authorization is not None:
        await consume(session, ctx, user_id=user_id, terms=terms, authorization=authorization)
        return
    if pin_verified:
        await _strongly_authenticated(session, user_id, now)
        metrics.SCA_CHALLENGES.labels("pin_header").inc()
        return
    if await _exempt(session, ctx, user_id=user_id, terms=terms):
        return
    raise ChallengeNeeded(user_id, terms)


async def authorize_payment_set(
    session: AsyncSession,
    ctx: ScaContext,
    *,
    actor: Principal,
    terms: Terms,
    payee_owner_user_ids: Mapping[int, int | None],
    authorization: str | None,
    pin_verified: bool,
) -> None:
    """Let a set of payments (a multi-leg transaction) through, consume its authorization, or
    raise `ChallengeNeeded` for the whole set.

    As `authorize_transfer`, with the set's `terms` (`payment_set_terms`) and its payees (per
    payee account, its owner's user id). Exempt: every payee is the customer's own account
    (SCA_EXEMPT_OWN_ACCOUNTS) or a trusted payee (SCA_EXEMPT_TRUSTED_PAYEES). The low-value
    budget counts single transfers and does not apply to a set. Runs inside the money
    transaction with the accounts locked."""
    settings = ctx.settings
    if not settings.sca_required or actor.is_staff:
        return
    user_id = actor.user.id
    owners = payee_owner_user_ids.values()
    if settings.sca_exempt_own_accounts and all(owner == user_id for owner in owners):
        metrics.SCA_CHALLENGES.labels("exempt_own_accounts").inc()
        return
    if authorization is not None:
        await consume(session, ctx, user_id=user_id, terms=terms, authorization=authorization)
        return
    if pin_verified:
        await _strongly_authenticated(session, user_id, ctx.clock.now())
        metrics.SCA_CHALLENGES.labels("pin_header").inc()
        return
    if await _every_payee_trusted(session, ctx, user_id=user_id, payees=payee_owner_user_ids):
        metrics.SCA_CHALLENGES.labels("exempt_trusted_payee").inc()
        return
    raise ChallengeNeeded(user_id, terms)


async def _every_payee_trusted(
    session: AsyncSession, ctx: ScaContext, *, user_id: int, payees: Mapping[int, int | None]
) -> bool:
    """Whether each payee that is not exempt as the customer's own account is trusted."""
    settings = ctx.settings
    if not settings.sca_exempt_trusted_payees:
        return False
    for account_id, owner in payees.items():
        if owner == user_id and settings.sca_exempt_own_accounts:
            continue
        if not await repository.is_trusted(session, user_id=user_id, account_id=account_id):
            return False
    return True


async def consume(
    session: AsyncSession, ctx: ScaContext, *, user_id: int, terms: Terms, authorization: str
) -> None:
    """Spend the authorization code for exactly `terms` (403 otherwise; nothing else moves)."""
    now = ctx.clock.now()
    challenge = await repository.challenge_by_code(session, token_digest(authorization))
    if (
        challenge is None
        or challenge.user_id != user_id
        or challenge.status != "completed"
        or challenge.expires_at <= now
        or _terms_of(challenge) != terms
    ):
        metrics.SCA_CHALLENGES.labels("authorization_refused").inc()
        raise ScaAuthorizationInvalid(
            "The authorization code does not cover this request, was used or has expired; "
            "nothing moved."
        )
    challenge.status, challenge.consumed_at = "consumed", now
    _record(session, "sca.challenge_consumed", challenge)
    metrics.SCA_CHALLENGES.labels("consumed").inc()


def _terms_of(challenge: ScaChallenge) -> Terms:
    """What the challenge was created for (the summary aside, which binds nothing)."""
    return Terms(
        purpose=challenge.purpose,
        payee_account_id=challenge.payee_account_id,
        amount_minor=challenge.amount_minor,
        currency=challenge.currency,
        source_account_id=challenge.source_account_id,
        legs_digest=challenge.legs_digest,
    )


async def _exempt(session: AsyncSession, ctx: ScaContext, *, user_id: int, terms: Terms) -> bool:
    """A trusted payee, or a low-value transfer within the running limits (counted). The
    low-value budget opens with a first strong authentication: a customer who never passed one
    (no factor) moves nothing to anyone else on the access token alone."""
    settings = ctx.settings
    payee = terms.payee_account_id
    if (
        settings.sca_exempt_trusted_payees
        and payee is not None
        and await repository.is_trusted(session, user_id=user_id, account_id=payee)
    ):
        metrics.SCA_CHALLENGES.labels("exempt_trusted_payee").inc()
        return True
    if terms.currency != settings.base_currency or terms.amount_minor is None:
        return False
    currency = settings.base_currency
    if terms.amount_minor > parse_amount(settings.sca_low_value_max, currency):
        return False
    user = await repository.user_for_update(session, user_id)
    if user is None or user.last_sca_at is None:  # never strongly authenticated: no budget
        return False
    total = user.sca_exempt_minor + terms.amount_minor
    if user.sca_exempt_count + 1 > settings.sca_low_value_count or total > parse_amount(
        settings.sca_low_value_total, currency
    ):
        return False
    user.sca_exempt_count, user.sca_exempt_minor = user.sca_exempt_count + 1, total
    metrics.SCA_CHALLENGES.labels("exempt_low_value").inc()
    return True


async def _strongly_authenticated(session: AsyncSession, user_id: int, now: datetime) -> None:
    """A strong authentication just happened: the low-value counters start again."""
    user: User | None = await repository.user_for_update(session, user_id)
    if user is not None:
        user.last_sca_at, user.sca_exempt_count, user.sca_exempt_minor = now, 0, 0


def _record(session: AsyncSession, action: str, challenge: ScaChallenge, **extra: Any) -> None:
    view = challenge_view(challenge) | extra
    audit.record(
        session,
        action,
        actor_id=challenge.user_id,
        target_type="sca_challenge",
        target_id=challenge.id,
        after=view,
    )
    payload = {"challenge_id": challenge.id, "user_id": challenge.user_id, **view}
    payload.pop("id")
    outbox.emit(session, action, payload, aggregate_type="sca_challenge", aggregate_id=challenge.id)
