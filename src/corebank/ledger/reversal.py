"""Reversal (admins): a new entry with the opposite postings, linked to the original, once.

Policy: a reversal corrects a mistake, so it is posted even when it takes an account below
its overdraft limit (an unarranged overdraft, as a bank would record it); it is refused only
when an account involved is closed. Frozen accounts are reversed like any other. A reversal
itself cannot be reversed: post a new movement instead. A multi-leg transaction is reversed
whole, in one entry whose legs mirror its legs.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.identity.principal import Principal
from corebank.ledger import idempotency, repository
from corebank.ledger.context import LedgerContext
from corebank.ledger.errors import AlreadyReversed, NotReversible, TransactionNotFound
from corebank.ledger.idempotency import IdempotencyRequest, Outcome
from corebank.ledger.posting import legs_of, post, require_open
from corebank.models.account import AccountKind
from corebank.models.ledger import EntryType

#: Entries whose meaning lives in the loan's rows too: reversing one here would break them.
LOAN_ENTRIES = frozenset({EntryType.loan_disbursal, EntryType.loan_repayment})


async def reverse(
    ctx: LedgerContext,
    *,
    actor: Principal,
    entry_id: int,
    reason: str,
    idempotency_request: IdempotencyRequest | None = None,
) -> Outcome:
    """Post the opposite of an entry, at most once (a second reversal is 409)."""

    async def work(session: AsyncSession) -> dict[str, Any]:
        found = await repository.entry_with_postings(session, entry_id)
        if found is None:
            raise TransactionNotFound("No such transaction.")
        entry, postings, _ = found
        if entry.type == EntryType.reversal:
            raise NotReversible("A reversal cannot be reversed; post a new movement instead.")
        if entry.type in LOAN_ENTRIES:
            raise NotReversible(
                "A loan's disbursement or repayment belongs to the loan's records; it is not "
                "reversed here (docs/lending.md)."
            )
        accounts = await repository.lock_accounts(
            session, [p.account_id for p in postings if p.kind == AccountKind.customer]
        )
        if await repository.reversal_of(session, entry_id) is not None:
            raise AlreadyReversed(f"Transaction {entry_id} has already been reversed.")
        for account in accounts.values():
            require_open(account, money_out=False)
        legs = [(p.account_id, -p.amount) for p in postings]
        posted = await post(
            session,
            actor=actor,
            type=EntryType.reversal,
            currency=entry.currency,
            amount=entry.amount_minor,
            legs=legs,
            accounts=accounts,
            description=reason,
            now=ctx.clock.now(),
            reverses_entry_id=entry.id,
            multi_legs=legs_of(legs) if entry.type == EntryType.multi_leg else (),
        )
        return posted.model_dump(mode="json")

    return await idempotency.execute(
        ctx, request=idempotency_request, work=work, status=201, kind="reversal"
    )
