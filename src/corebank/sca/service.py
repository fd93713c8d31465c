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

Completing a challenge (`complete`) with a TOTP code or the PIN answers the one-time
authorization code; wrong factors count toward the factor's own lockout and are audited.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, NoReturn

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
    ScaPinRequired,
    ScaRequired,
)

HEADER = "X-SCA-Authorization"
TRANSFER = "transfer"
TRUSTED_PAYEE = "trusted_payee"


@dataclass(frozen=True)
class Terms:
    """What one authorization covers, exactly."""

    purpose: str
    payee_account_id: int
    amount_minor: int | None = None
    currency: str | None = None
    source_account_id: int | None = None


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
    payee_owner_user_ids: Collection[int | None],
    pin_verified: bool,
) -> None:
    """Let a set of payments (a multi-leg transaction) through, or refuse it (403).

    A challenge and its authorization code cover one payee and one amount, and an exemption
    (a trusted payee, the low-value budget) one transfer, so none of them can vouch for a set.
    A set that pays only the customer's own accounts is exempt as a transfer between them is;
    any other needs the right transaction PIN sent with the request itself, which was checked
    against exactly this set of legs. Runs inside the money transaction, like
    `authorize_transfer`."""
    settings = ctx.settings
    if not settings.sca_required or actor.is_staff:
        return
    user_id = actor.user.id
    if settings.sca_exempt_own_accounts and all(o == user_id for o in payee_owner_user_ids):
        metrics.SCA_CHALLENGES.labels("exempt_own_accounts").inc()
        return
    if not pin_verified:
        raise ScaPinRequired(
            "A transaction that pays an account not yours needs your transaction PIN: set one "
            "(PUT /api/v1/users/me/pin) and send it as X-Transaction-PIN. Nothing moved."
        )
    await _strongly_authenticated(session, user_id, ctx.clock.now())
    metrics.SCA_CHALLENGES.labels("pin_header").inc()


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
        or Terms(
            purpose=challenge.purpose,
            payee_account_id=challenge.payee_account_id or 0,
            amount_minor=challenge.amount_minor,
            currency=challenge.currency,
            source_account_id=challenge.source_account_id,
        )
        != terms
    ):
        metrics.SCA_CHALLENGES.labels("authorization_refused").inc()
        raise ScaAuthorizationInvalid(
            "The authorization code does not cover this request, was used or has expired; "
            "nothing moved."
        )
    challenge.status, challenge.consumed_at = "consumed", now
    _record(session, "sca.challenge_consumed", challenge)
    metrics.SCA_CHALLENGES.labels("consumed").inc()


async def _exempt(session: AsyncSession, ctx: ScaContext, *, user_id: int, terms: Terms) -> bool:
    """A trusted payee, or a low-value transfer within the running limits (counted). The
    low-value budget opens with a first strong authentication: a customer who never passed one
    (no factor) moves nothing to anyone else on the access token alone."""
    settings = ctx.settings
    if settings.sca_exempt_trusted_payees and await repository.is_trusted(
        session, user_id=user_id, account_id=terms.payee_account_id
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
