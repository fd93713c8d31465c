"""Trusted payees: accounts a customer trusted after a strong authentication; transfers to
them skip the challenge (an exemption of RTS art. 13)."""

from __future__ import annotations

from corebank.accounts.errors import CannotReceive
from corebank.core import audit
from corebank.identity.principal import Principal
from corebank.models.mfa import TrustedPayee
from corebank.sca import repository
from corebank.sca.context import ScaContext
from corebank.sca.errors import PayeeAlreadyTrusted, TrustedPayeeNotFound
from corebank.sca.service import TRUSTED_PAYEE, Terms, consume, require_challenge


async def trusted_payees(ctx: ScaContext, *, principal: Principal) -> list[TrustedPayee]:
    async with ctx.db.read() as session:
        return await repository.trusted_payees(session, principal.user.id)


async def trust_payee(
    ctx: ScaContext, *, principal: Principal, account_id: int, authorization: str | None
) -> TrustedPayee:
    """Trust another customer's account (transfers to it then skip SCA): needs a fresh factor,
    so without an authorization code for exactly this payee it answers 401 with a challenge."""
    if not await payee_can_receive(ctx, principal=principal, account_id=account_id):
        raise CannotReceive()
    terms = Terms(purpose=TRUSTED_PAYEE, payee_account_id=account_id)
    if authorization is None:
        await require_challenge(ctx, user_id=principal.user.id, terms=terms)
    async with ctx.db.transaction() as session:
        await consume(
            session, ctx, user_id=principal.user.id, terms=terms, authorization=authorization
        )
        payee = await repository.add_trusted_payee(
            session, user_id=principal.user.id, account_id=account_id, now=ctx.clock.now()
        )
        if payee is None:
            raise PayeeAlreadyTrusted("That account is already a trusted payee.")
        audit.record(
            session,
            "user.payee_trusted",
            actor_id=principal.user.id,
            target_type="trusted_payee",
            target_id=payee.id,
            after={"account_id": account_id},
        )
    return payee


async def distrust_payee(ctx: ScaContext, *, principal: Principal, payee_id: int) -> None:
    async with ctx.db.transaction() as session:
        if not await repository.remove_trusted_payee(
            session, user_id=principal.user.id, payee_id=payee_id
        ):
            raise TrustedPayeeNotFound("No such trusted payee.")
        audit.record(
            session,
            "user.payee_untrusted",
            actor_id=principal.user.id,
            target_type="trusted_payee",
            target_id=payee_id,
        )


async def payee_can_receive(ctx: ScaContext, *, principal: Principal, account_id: int) -> bool:
    """Whether `account_id` is another customer's open account (a customer learns no more)."""
    async with ctx.db.read() as session:
        account = await repository.receiving_account(session, account_id)
    return account is not None and account.user_id != principal.user.id
