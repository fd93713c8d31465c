"""Customer rules: reads (cached), validation, uniqueness, linking, KYC and soft delete.

Every change runs in one transaction, is audited (national_id masked), emits its event and
invalidates the cached record on every instance (see core/cache.py). The queries are in
`customers.repository`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import orjson
from pydantic_core import to_jsonable_python
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.approvals import service as approvals
from corebank.approvals.context import ReservesNothing
from corebank.approvals.schemas import ApprovalOut
from corebank.core import audit, outbox
from corebank.core.cache import invalidate_on_commit
from corebank.core.errors import ValidationFailed, field_error
from corebank.core.pagination import CursorCodec, PageParams, keyset_page
from corebank.customers import repository
from corebank.customers.context import CustomerContext
from corebank.customers.errors import (
    CustomerNotDeletable,
    CustomerNotDeleted,
    CustomerNotFound,
    RecordChanged,
    bad_query,
    duplicate,
    no_such_user,
)
from corebank.customers.records import (
    cache_key,
    changed_fields,
    column_values,
    masked,
    refresh_search_text,
    snapshot,
    state,
)
from corebank.customers.schemas import CustomerOut, CustomerUpdate
from corebank.customers.search import search_term
from corebank.identity.principal import Principal
from corebank.models.approval import ApprovalOperation, ApprovalRequest
from corebank.models.base import as_utc
from corebank.models.customer import Customer, KycStatus


async def read_customer(
    ctx: CustomerContext, *, customer_id: int, viewer_user_id: int | None
) -> CustomerOut:
    """One live customer, from the cache when possible. A non-staff viewer (`viewer_user_id`)
    sees only the record linked to them; anything else is 404, never 403."""

    async def load() -> bytes | None:
        async with ctx.db.read() as session:
            customer = await repository.by_id(session, customer_id)
        if customer is None:
            return None
        return CustomerOut.of(customer, currency=ctx.currency).model_dump_json().encode()

    raw = await ctx.cache.get_or_load(cache_key(customer_id), load)
    view = None if raw is None else CustomerOut.model_validate_json(raw)
    if view is None or (viewer_user_id is not None and view.user_id != viewer_user_id):
        raise CustomerNotFound()
    return view


async def my_customer(ctx: CustomerContext, *, user_id: int) -> Customer:
    """The live customer record linked to this user; 404 when there is none."""
    async with ctx.db.read() as session:
        customer = await repository.by_user(session, user_id)
    if customer is None:
        raise CustomerNotFound("No customer record is linked to your user.")
    return customer


async def list_customers(
    ctx: CustomerContext,
    *,
    codec: CursorCodec,
    params: PageParams,
    filters: repository.Filters,
    q: str | None,
) -> tuple[list[Customer], str | None]:
    """One page of customers matching the filters and the search text, newest first (on the
    read replica when there is one)."""
    try:
        term = search_term(q) if q else None
    except ValueError as exc:
        raise bad_query("q", str(exc)) from None
    filters = replace(
        filters,
        term=term,
        created_from=_utc(filters.created_from, "created_from"),
        created_to=_utc(filters.created_to, "created_to"),
    )
    stmt = repository.listing(filters, dialect=ctx.db.dialect)
    return await ctx.db.replica_read(
        lambda session: keyset_page(
            session, stmt, id_column=Customer.id, params=params, codec=codec, scope="customers"
        )
    )


def _utc(value: datetime | None, name: str) -> datetime | None:
    """`value` in UTC (a naive one is taken as UTC); 422 when it cannot be represented."""
    try:
        return None if value is None else as_utc(value)
    except OverflowError:
        raise bad_query(name, "date-time out of range") from None


async def _live(session: AsyncSession, customer_id: int) -> Customer:
    """The live customer, locked for the change; 404 when there is none."""
    customer = await repository.by_id(session, customer_id, for_update=True)
    if customer is None:
        raise CustomerNotFound()
    return customer


async def create_customer(
    ctx: CustomerContext, *, actor_id: int, fields: dict[str, Any]
) -> Customer:
    """A new customer (KYC pending); 409 naming the field when e-mail or phone is taken."""
    values = column_values(fields, settings=ctx.settings, today=ctx.clock.now().date())
    if ctx.approvals.policy.needs(
        ApprovalOperation.credit_limit_raise,
        currency=ctx.currency,
        amount_minor=values.get("credit_limit_minor") or 0,
    ):
        raise ValidationFailed(
            "A credit limit above the approval threshold waits for a second person: create "
            "the customer with a lower limit, then raise it (PATCH), which waits for approval.",
            type="approval-required",
            errors=[field_error(["body", "credit_limit"], "above the approval threshold")],
        )
    try:
        async with ctx.db.transaction() as session:
            values["user_id"] = await _user_to_link(session, values)
            await _refuse_clash(session, values)
            customer = Customer(**values, kyc_status=KycStatus.pending)
            refresh_search_text(customer)
            await repository.insert(session, customer)
            _record(
                session,
                "customer.created",
                actor_id,
                customer,
                after=snapshot(customer),
                event={"user_id": customer.user_id},
            )
    except IntegrityError as exc:
        raise duplicate(repository.clashing_field(exc)) from None
    await ctx.cache.invalidate(cache_key(customer.id))
    return customer


async def _user_to_link(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """The user named in the request (422 if missing); never one guessed from the e-mail.

    Nobody has proved they own an e-mail address (there is no verification), so matching
    e-mails would let anyone who registers a customer's address take over their accounts.
    """
    requested = values.get("user_id")
    if requested is not None:
        await _require_user(session, requested)
    return requested


async def _require_user(session: AsyncSession, user_id: int) -> None:
    if not await repository.live_user_exists(session, user_id):
        raise no_such_user()


async def _refuse_clash(
    session: AsyncSession,
    values: dict[str, Any],
    *,
    exclude_id: int = 0,
    loc: tuple[str, ...] = ("body",),
) -> None:
    """409 naming the field when another live customer has this e-mail, phone or user."""
    clash = await repository.first_clash(
        session,
        email=values.get("email"),
        phone=values.get("phone"),
        user_id=values.get("user_id"),
        exclude_id=exclude_id,
    )
    if clash:
        raise duplicate(clash, loc=loc)


async def update_customer(
    ctx: CustomerContext, *, actor_id: int, customer_id: int, fields: dict[str, Any]
) -> Customer | ApprovalOut:
    """Change the fields given (same rules as create); null clears an optional field. A
    credit-limit raise above the base currency's approval threshold waits for a second person
    (the whole change, unapplied: docs/approvals.md)."""
    now = ctx.clock.now()
    values = column_values(fields, settings=ctx.settings, today=now.date())
    try:
        async with ctx.db.transaction() as session:
            customer = await _live(session, customer_id)
            await _check_update(session, customer, values)
            if _raise_needs_approval(ctx, customer, values):
                return await approvals.submit(
                    session,
                    ctx.approvals,
                    maker_id=actor_id,
                    operation=ApprovalOperation.credit_limit_raise,
                    subject=("customer", customer.id),
                    request={"fields": to_jsonable_python(fields), "record": _version(customer)},
                    now=now,
                    currency=ctx.currency,
                    amount_minor=values["credit_limit_minor"],
                )
            changed = await _apply_update(session, customer, values, actor_id=actor_id)
    except IntegrityError as exc:
        raise duplicate(repository.clashing_field(exc)) from None
    if changed:
        await ctx.cache.invalidate(cache_key(customer.id))
    return customer


def _version(customer: Customer) -> str:
    """A digest of the record's changeable fields and KYC: an approved change applies only to
    the record as it was asked for (no personal data is stored for it)."""
    shown = to_jsonable_python(state(customer) | {"kyc_status": str(customer.kyc_status)})
    return hashlib.sha256(orjson.dumps(shown, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def _check_update(session: AsyncSession, customer: Customer, values: dict[str, Any]) -> None:
    if values.get("user_id") is not None:
        await _require_user(session, values["user_id"])
    await _refuse_clash(session, values, exclude_id=customer.id)


def _raise_needs_approval(ctx: CustomerContext, customer: Customer, values: dict[str, Any]) -> bool:
    limit = values.get("credit_limit_minor")
    return (
        limit is not None
        and limit > customer.credit_limit_minor
        and ctx.approvals.policy.needs(
            ApprovalOperation.credit_limit_raise, currency=ctx.currency, amount_minor=limit
        )
    )


async def _apply_update(
    session: AsyncSession, customer: Customer, values: dict[str, Any], *, actor_id: int
) -> list[str]:
    """Set the values on the locked customer, audit and emit; the fields that changed."""
    before = state(customer)
    for name, value in values.items():
        setattr(customer, name, value)
    refresh_search_text(customer)
    after = state(customer)
    changed = changed_fields(before, after)
    if changed:
        await repository.flush(session)
        _record(
            session,
            "customer.updated",
            actor_id,
            customer,
            before=masked({k: before[k] for k in changed}),
            after=masked({k: after[k] for k in changed}),
            event={"fields": changed},
        )
    return changed


async def set_kyc(
    ctx: CustomerContext, *, actor_id: int, customer_id: int, status: KycStatus, reason: str
) -> Customer | ApprovalOut:
    """Record a KYC decision with its reason (audited every time, even when unchanged). With
    `kyc_override` in APPROVAL_OPERATIONS, setting `verified` waits for a second person."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        customer = await _live(session, customer_id)
        if status == KycStatus.verified and ctx.approvals.policy.always(
            ApprovalOperation.kyc_override
        ):
            return await approvals.submit(
                session,
                ctx.approvals,
                maker_id=actor_id,
                operation=ApprovalOperation.kyc_override,
                subject=("customer", customer.id),
                request={
                    "status": str(status),
                    "reason": reason,
                    "record": _version(customer),
                },
                now=now,
            )
        _apply_kyc(session, customer, status=status, reason=reason, actor_id=actor_id, now=now)
    await ctx.cache.invalidate(cache_key(customer_id))
    return customer


def _apply_kyc(
    session: AsyncSession,
    customer: Customer,
    *,
    status: KycStatus,
    reason: str,
    actor_id: int,
    now: datetime,
) -> None:
    before = {"kyc_status": customer.kyc_status, "kyc_reason": customer.kyc_reason}
    customer.kyc_status, customer.kyc_reason = status, reason
    customer.kyc_updated_at = now
    _record(
        session,
        "customer.kyc_changed",
        actor_id,
        customer,
        before=before,
        after={"kyc_status": status, "kyc_reason": reason},
        event={"from": before["kyc_status"], "to": status},
    )


@dataclass(frozen=True)
class CustomerChangeExecutor(ReservesNothing):
    """An approved credit-limit raise or KYC override: the change is validated again against
    the record as it is now, then applied by the checker."""

    ctx: CustomerContext

    async def execute(
        self, session: AsyncSession, request: ApprovalRequest, *, checker: Principal, now: datetime
    ) -> dict[str, Any]:
        customer = await _live(session, request.subject_id)
        if request.request.get("record") != _version(customer):
            raise RecordChanged(
                "The customer record changed since this was asked for; applying it would undo "
                "that. Reject the request and ask again."
            )
        if request.operation == ApprovalOperation.kyc_override:
            terms = request.request
            _apply_kyc(
                session,
                customer,
                status=KycStatus(terms["status"]),
                reason=terms["reason"],
                actor_id=checker.user.id,
                now=now,
            )
            return {"customer_id": customer.id, "kyc_status": terms["status"]}
        fields = CustomerUpdate.model_validate(request.request["fields"]).model_dump(
            exclude_unset=True
        )
        values = column_values(fields, settings=self.ctx.settings, today=now.date())
        await _check_update(session, customer, values)
        changed = await _apply_update(session, customer, values, actor_id=checker.user.id)
        return {"customer_id": customer.id, "fields": changed}

    async def after_commit(self, subject_id: int) -> None:
        await self.ctx.cache.invalidate(cache_key(subject_id))


async def delete_customer(ctx: CustomerContext, *, actor_id: int, customer_id: int) -> None:
    """Soft delete; 409 when a deletion guard refuses (an open account holding money)."""
    async with ctx.db.transaction() as session:
        customer = await _live(session, customer_id)
        for guard in ctx.deletion_guards:
            reason = await guard(session, customer.id)
            if reason:
                raise CustomerNotDeletable(reason)
        before = snapshot(customer)
        customer.deleted_at = ctx.clock.now()
        _record(
            session,
            "customer.deleted",
            actor_id,
            customer,
            before=before,
            after=snapshot(customer),
            event={},
        )
    await ctx.cache.invalidate(cache_key(customer_id))


async def restore_customer(ctx: CustomerContext, *, actor_id: int, customer_id: int) -> Customer:
    """Undo a soft delete; 409 if another live customer took its e-mail, phone or user since."""
    try:
        async with ctx.db.transaction() as session:
            customer = await repository.by_id(session, customer_id, deleted=True, for_update=True)
            if customer is None:
                if await repository.by_id(session, customer_id) is not None:
                    raise CustomerNotDeleted()
                raise CustomerNotFound()
            await _refuse_clash(session, state(customer), exclude_id=customer.id, loc=())
            before = snapshot(customer)
            customer.deleted_at = None
            await repository.flush(session)
            _record(
                session,
                "customer.restored",
                actor_id,
                customer,
                before=before,
                after=snapshot(customer),
                event={},
            )
    except IntegrityError as exc:
        raise duplicate(repository.clashing_field(exc), loc=()) from None
    await ctx.cache.invalidate(cache_key(customer_id))
    return customer


def _record(
    session: AsyncSession,
    action: str,
    actor_id: int,
    customer: Customer,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    event: dict[str, Any] | None = None,
    event_type: str | None = None,
) -> None:
    """Audit the change, emit its event (named as the action unless told) and mark the cached
    record as changing (see core/cache.py)."""
    audit.record(
        session,
        action,
        actor_id=actor_id,
        target_type="customer",
        target_id=customer.id,
        before=before,
        after=after,
    )
    if event is not None:
        outbox.emit(
            session,
            event_type or action,
            {"customer_id": customer.id, **event},
            aggregate_type="customer",
            aggregate_id=customer.id,
        )
    invalidate_on_commit(session, cache_key(customer.id))
