"""Loan products, applications and decisions, and how loans are shown (docs/lending.md).

Money (disbursement, repayments) is in `lending.money`; the arithmetic in `lending.schedule`;
delinquency in `lending.delinquency`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.accounts.lifecycle import credit_limit_in
from corebank.approvals import service as approvals
from corebank.approvals.context import ReservesNothing
from corebank.approvals.errors import FourEyesViolation
from corebank.approvals.schemas import ApprovalOut
from corebank.core import audit, outbox
from corebank.core.errors import ValidationFailed, field_error
from corebank.core.money import format_amount, parse_amount
from corebank.core.pagination import CursorCodec, PageParams
from corebank.credit import service as credit
from corebank.identity.principal import Principal
from corebank.lending import repository
from corebank.lending.context import LendingContext
from corebank.lending.errors import (
    ApprovalRefused,
    LoanNotFound,
    LoanState,
    OutsideProduct,
    ProductInUse,
    ProductNameTaken,
    ProductNotFound,
    ProductRetired,
)
from corebank.lending.schedule import Terms
from corebank.lending.schemas import LoanIn, LoanOut, ProductIn, ProductOut
from corebank.models.account import AccountKind, AccountStatus, AccountType
from corebank.models.approval import ApprovalOperation, ApprovalRequest
from corebank.models.customer import Customer, KycStatus
from corebank.models.loan import Loan, LoanProduct, LoanStatus, ProductStatus

#: Product fields that are loan terms: frozen once a loan uses the product.
TERM_FIELDS = frozenset(
    {
        "annual_rate",
        "min_term_months",
        "max_term_months",
        "min_amount",
        "max_amount",
        "grace_installments",
        "late_fee_tolerance_days",
    }
)


# --- how things are shown -------------------------------------------------------------------


def product_out(product: LoanProduct) -> ProductOut:
    currency = product.currency
    return ProductOut(
        id=product.id,
        name=product.name,
        currency=currency,
        annual_rate=product.annual_rate,
        min_term_months=product.min_term_months,
        max_term_months=product.max_term_months,
        min_amount=format_amount(product.min_amount_minor, currency),
        max_amount=format_amount(product.max_amount_minor, currency),
        amortization=product.amortization,  # type: ignore[arg-type]
        day_count=product.day_count,  # type: ignore[arg-type]
        grace_installments=product.grace_installments,
        late_fee=None
        if product.late_fee_minor is None
        else format_amount(product.late_fee_minor, currency),
        late_fee_percent=product.late_fee_percent,
        late_fee_tolerance_days=product.late_fee_tolerance_days,
        status=product.status,  # type: ignore[arg-type]
        created_at=product.created_at,
    )


def loan_out(loan: Loan) -> LoanOut:
    currency = loan.currency
    return LoanOut(
        id=loan.id,
        product_id=loan.product_id,
        customer_id=loan.customer_id,
        account_id=loan.account_id,
        currency=currency,
        amount=format_amount(loan.amount_minor, currency),
        term_months=loan.term_months,
        annual_rate=loan.annual_rate,
        amortization=loan.amortization,  # type: ignore[arg-type]
        day_count=loan.day_count,  # type: ignore[arg-type]
        status=loan.status,  # type: ignore[arg-type]
        decision_reason=loan.decision_reason,
        decided_by=loan.decided_by,
        decided_at=loan.decided_at,
        disbursed_at=loan.disbursed_at,
        disbursement_transaction_id=loan.disbursement_entry_id,
        principal_outstanding=format_amount(loan.principal_outstanding_minor, currency),
        days_past_due=loan.days_past_due,
        bucket=loan.bucket,  # type: ignore[arg-type]
        paid_off_at=loan.paid_off_at,
        created_at=loan.created_at,
    )


def terms_of(loan: Loan, *, disbursed_on: Any) -> Terms:
    """The schedule's terms of a loan: its copy of the product's terms (rate in percent)."""
    return Terms(
        principal_minor=loan.amount_minor,
        currency=loan.currency,
        annual_rate=Decimal(loan.annual_rate) / 100,
        term_months=loan.term_months,
        amortization=loan.amortization,  # type: ignore[arg-type]
        day_count=loan.day_count,  # type: ignore[arg-type]
        disbursed_on=disbursed_on,
        grace_installments=loan.grace_installments,
    )


def record(
    session: AsyncSession, action: str, loan: Loan, *, actor_id: int | None, **extra: Any
) -> None:
    """Audit a loan change and emit its event (`loan.<what>`)."""
    view = loan_out(loan).model_dump(mode="json")
    audit.record(
        session, action, actor_id=actor_id, target_type="loan", target_id=loan.id, after=view
    )
    payload = {
        "loan_id": loan.id,
        "customer_id": loan.customer_id,
        "status": view["status"],
        "amount": view["amount"],
        "currency": loan.currency,
        "principal_outstanding": view["principal_outstanding"],
        **extra,
    }
    outbox.emit(session, action, payload, aggregate_type="loan", aggregate_id=loan.id)


# --- products ------------------------------------------------------------------------------


def _amount(text: str, currency: str, loc: str) -> int:
    try:
        return parse_amount(text, currency)
    except ValueError as exc:
        raise ValidationFailed(str(exc), errors=[field_error(["body", loc], str(exc))]) from None


def _product_values(body: ProductIn) -> dict[str, Any]:
    currency = body.currency
    values: dict[str, Any] = body.model_dump(exclude={"min_amount", "max_amount", "late_fee"})
    values["min_amount_minor"] = _amount(body.min_amount, currency, "min_amount")
    values["max_amount_minor"] = _amount(body.max_amount, currency, "max_amount")
    if values["min_amount_minor"] > values["max_amount_minor"]:
        raise ValidationFailed(
            "min_amount is above max_amount.",
            errors=[field_error(["body", "min_amount"], "above max_amount")],
        )
    values["late_fee_minor"] = (
        None if body.late_fee is None else _amount(body.late_fee, currency, "late_fee")
    )
    if body.grace_installments >= body.min_term_months:
        raise ValidationFailed(
            "The grace must leave at least one installment that repays principal.",
            errors=[field_error(["body", "grace_installments"], "not below min_term_months")],
        )
    return values


async def create_product(ctx: LendingContext, *, actor: Principal, body: ProductIn) -> ProductOut:
    if body.currency not in ctx.settings.currencies:
        raise ValidationFailed(
            f"The bank does not keep {body.currency}.",
            errors=[field_error(["body", "currency"], "not one of CURRENCIES")],
        )
    values = _product_values(body)
    async with ctx.db.transaction() as session:
        await _refuse_taken_name(session, body.name)
        product = await repository.add(session, LoanProduct(**values, status=ProductStatus.active))
        audit.record(
            session,
            "loan_product.created",
            actor_id=actor.user.id,
            target_type="loan_product",
            target_id=product.id,
            after=product_out(product).model_dump(mode="json"),
        )
    return product_out(product)


async def get_product(ctx: LendingContext, *, product_id: int) -> ProductOut:
    async with ctx.db.read() as session:
        product = await repository.product(session, product_id)
    if product is None:
        raise ProductNotFound("No such loan product.")
    return product_out(product)


async def list_products(
    ctx: LendingContext, *, params: PageParams, codec: CursorCodec
) -> tuple[list[ProductOut], str | None]:
    async with ctx.db.read() as session:
        rows, cursor = await repository.page_of_products(session, params=params, codec=codec)
    return [product_out(row) for row in rows], cursor


async def update_product(
    ctx: LendingContext, *, actor: Principal, product_id: int, changes: dict[str, Any]
) -> ProductOut:
    """The name and status (retire, reactivate) always; the terms only while unused."""
    async with ctx.db.transaction() as session:
        product = await repository.product(session, product_id, for_update=True)
        if product is None:
            raise ProductNotFound("No such loan product.")
        terms = sorted(name for name in set(changes) & TERM_FIELDS if changes[name] is not None)
        if terms and await repository.product_in_use(session, product_id):
            raise ProductInUse(
                "A loan uses this product: its terms cannot change. Retire it and create another.",
                extra={"errors": [field_error(["body", name], "in use") for name in terms]},
            )
        before = product_out(product).model_dump(mode="json")
        merged = _merged(before, changes)
        if merged.name != product.name:
            await _refuse_taken_name(session, merged.name)
        for name, value in _product_values(merged).items():
            setattr(product, name, value)
        if changes.get("status") is not None:
            product.status = ProductStatus(changes["status"])
        await session.flush()
        audit.record(
            session,
            "loan_product.updated",
            actor_id=actor.user.id,
            target_type="loan_product",
            target_id=product.id,
            before=before,
            after=product_out(product).model_dump(mode="json"),
        )
    return product_out(product)


async def _refuse_taken_name(session: AsyncSession, name: str) -> None:
    if await repository.product_named(session, name) is not None:
        raise ProductNameTaken(
            "Another loan product has that name.",
            extra={"errors": [field_error(["body", "name"], "taken")]},
        )


def _merged(shown: dict[str, Any], changes: dict[str, Any]) -> ProductIn:
    """The product with the changes, validated as a new one is (422 naming the fields)."""
    try:
        return ProductIn.model_validate({**_editable(shown), **_patched(changes)})
    except PydanticValidationError as exc:
        errors = [
            field_error(["body", *map(str, error["loc"])], error["msg"], error["type"])
            for error in exc.errors()
        ]
        raise ValidationFailed("The changed product is not valid.", errors=errors) from None


def _editable(shown: dict[str, Any]) -> dict[str, Any]:
    keys = set(ProductIn.model_fields)
    return {key: value for key, value in shown.items() if key in keys}


def _patched(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in changes.items() if v is not None and k != "status"}


# --- applications and decisions -------------------------------------------------------------


async def visible_loan(
    session: AsyncSession, actor: Principal, loan_id: int, *, for_update: bool = False
) -> Loan:
    """The loan (locked when asked), for staff or the customer it belongs to (anyone else:
    404)."""
    loan = await repository.loan(session, loan_id, for_update=for_update)
    if loan is None:
        raise LoanNotFound("No such loan.")
    if not actor.is_staff:
        mine = await repository.customer_ids_of_user(session, actor.user.id)
        if loan.customer_id not in mine:
            raise LoanNotFound("No such loan.")
    return loan


async def apply(ctx: LendingContext, *, actor: Principal, body: LoanIn) -> LoanOut:
    """An application within the product's bounds, paid out to a current account of the
    customer in the product's currency; 422 naming the field otherwise."""
    async with ctx.db.transaction() as session:
        customer_id = await _applicant(session, actor, body.customer_id)
        # locked: an admin's change of its terms waits, or sees this loan and is refused
        product = await repository.product(session, body.product_id, for_update=True)
        if product is None:
            raise ProductNotFound("No such loan product.")
        if product.status != ProductStatus.active:
            raise ProductRetired("The product is retired: no new loans are made on it.")
        amount = _amount(body.amount, product.currency, "amount")
        _within_bounds(product, amount, body.term_months)
        await _destination(session, body.account_id, customer_id, product.currency)
        loan = await repository.add(
            session,
            Loan(
                product_id=product.id,
                customer_id=customer_id,
                account_id=body.account_id,
                requested_by=actor.user.id,
                currency=product.currency,
                amount_minor=amount,
                term_months=body.term_months,
                annual_rate=product.annual_rate,
                amortization=product.amortization,
                day_count=product.day_count,
                grace_installments=product.grace_installments,
                status=LoanStatus.applied,
                principal_outstanding_minor=0,
                days_past_due=0,
                bucket="current",
            ),
        )
        record(session, "loan.applied", loan, actor_id=actor.user.id)
    return loan_out(loan)


async def _applicant(session: AsyncSession, actor: Principal, customer_id: int | None) -> int:
    if actor.is_staff:
        if customer_id is None:
            raise ValidationFailed(
                "Staff name the customer.",
                errors=[field_error(["body", "customer_id"], "required for staff")],
            )
        if await repository.customer(session, customer_id) is None:
            raise ValidationFailed(
                "No such customer.", errors=[field_error(["body", "customer_id"], "not found")]
            )
        return customer_id
    mine = await repository.customer_ids_of_user(session, actor.user.id)
    if not mine or (customer_id is not None and customer_id not in mine):
        raise ValidationFailed(
            "You apply for yourself: no customer record of yours has that id.",
            errors=[field_error(["body", "customer_id"], "not yours")],
        )
    return customer_id or mine[0]


def _within_bounds(product: LoanProduct, amount: int, term: int) -> None:
    errors = []
    if not product.min_amount_minor <= amount <= product.max_amount_minor:
        low = format_amount(product.min_amount_minor, product.currency)
        high = format_amount(product.max_amount_minor, product.currency)
        errors.append(field_error(["body", "amount"], f"outside {low} to {high}", "out_of_range"))
    if not product.min_term_months <= term <= product.max_term_months:
        bounds = f"outside {product.min_term_months} to {product.max_term_months} months"
        errors.append(field_error(["body", "term_months"], bounds, "out_of_range"))
    if errors:
        raise OutsideProduct("The loan is outside the product's bounds.", errors=errors)


async def _destination(
    session: AsyncSession, account_id: int, customer_id: int, currency: str
) -> None:
    account = await repository.account(session, account_id)
    problem = None
    if account is None or account.kind != AccountKind.customer:
        problem = "no such account"
    elif account.customer_id != customer_id:
        problem = "not an account of the customer"
    elif account.type != AccountType.checking:
        problem = "not a current (checking) account"
    elif account.currency != currency:
        problem = f"not in {currency}"
    elif account.status != AccountStatus.active:
        problem = f"the account is {account.status}"
    if problem:
        raise ValidationFailed(
            f"The loan cannot be paid out there: {problem}.",
            errors=[field_error(["body", "account_id"], problem)],
        )


async def get_loan(ctx: LendingContext, *, actor: Principal, loan_id: int) -> LoanOut:
    async with ctx.db.read() as session:
        return loan_out(await visible_loan(session, actor, loan_id))


async def list_loans(
    ctx: LendingContext,
    *,
    actor: Principal,
    params: PageParams,
    codec: CursorCodec,
    customer_id: int | None,
    status: LoanStatus | None,
) -> tuple[list[LoanOut], str | None]:
    """Staff: every loan (filters); a customer: their own."""
    async with ctx.db.read() as session:
        if actor.is_staff:
            customers = None if customer_id is None else [customer_id]
        else:
            customers = await repository.customer_ids_of_user(session, actor.user.id)
        rows, cursor = await repository.page_of_loans(
            session, customer_ids=customers, status=status, params=params, codec=codec
        )
    return [loan_out(row) for row in rows], cursor


async def approve(
    ctx: LendingContext, *, checker: Principal, loan_id: int, reason: str
) -> LoanOut | ApprovalOut:
    """Approve an application: KYC verified, a credit check no older than
    CREDIT_CHECK_MAX_AGE_DAYS (run one now when stale), and the customer's open principal in
    the loan's currency within their credit limit. Above the approval threshold (with
    `loan_approval` in APPROVAL_OPERATIONS) the decision waits for a second person."""
    async with ctx.db.read() as session:
        loan = await _pending(session, loan_id)
        customer = await repository.customer(session, loan.customer_id)
    _not_the_applicant(loan, checker)
    _kyc_verified(customer)
    assert customer is not None
    if _stale(customer, ctx.clock.now(), ctx.settings.credit_check_max_age_days):
        await credit.run_credit_check(ctx.credit, actor_id=checker.user.id, customer_id=customer.id)

    async def work(session: AsyncSession) -> LoanOut | ApprovalOut:
        loan, now = await _checked_for_approval(session, ctx, loan_id)
        operation = ApprovalOperation.loan_approval
        waits = ctx.approvals.policy.needs(
            operation, currency=loan.currency, amount_minor=loan.amount_minor
        )
        if waits:
            return await approvals.submit(
                session,
                ctx.approvals,
                maker_id=checker.user.id,
                operation=operation,
                subject=("loan", loan.id),
                request={"loan_id": loan.id, "reason": reason},
                now=now,
                currency=loan.currency,
                amount_minor=loan.amount_minor,
            )
        return await _decide(session, loan, LoanStatus.approved, checker, reason, now)

    return await ctx.db.run(work)


async def _checked_for_approval(
    session: AsyncSession, ctx: LendingContext, loan_id: int
) -> tuple[Loan, datetime]:
    """The application, locked with its customer, once every approval rule holds."""
    loan = await _pending(session, loan_id, for_update=True)
    customer = await repository.customer(session, loan.customer_id, for_update=True)
    now = ctx.clock.now()
    _approvable(ctx, loan, customer, now)
    assert customer is not None
    owed = await repository.open_principal(session, loan.customer_id, currency=loan.currency)
    limit = credit_limit_in(customer, loan.currency, base_currency=ctx.settings.base_currency)
    if owed > limit:
        raise ApprovalRefused(
            f"The customer would owe {format_amount(owed, loan.currency)} {loan.currency} "
            f"with this loan, above their credit limit ({format_amount(limit, loan.currency)}).",
            extra={"reason": "credit_limit"},
        )
    return loan, now


@dataclass(frozen=True)
class LoanApprovalExecutor(ReservesNothing):
    """A loan approval a second person approved: every rule is checked again (a stale credit
    check is refused then, not run: the maker runs it), and the loan is approved with the
    maker's reason."""

    ctx: LendingContext

    async def execute(
        self, session: AsyncSession, request: ApprovalRequest, *, checker: Principal, now: datetime
    ) -> dict[str, Any]:
        loan, _ = await _checked_for_approval(session, self.ctx, request.subject_id)
        _not_the_applicant(loan, checker)
        decided = await _decide(
            session, loan, LoanStatus.approved, checker, request.request["reason"], now
        )
        return {"loan_id": decided.id, "status": decided.status}


def _stale(customer: Customer, now: datetime, max_age_days: int) -> bool:
    checked = customer.credit_score_at
    return checked is None or checked < now - timedelta(days=max_age_days)


def _not_the_applicant(loan: Loan, checker: Principal) -> None:
    """Staff who applied for a customer do not decide that application themselves."""
    if loan.requested_by == checker.user.id:
        raise FourEyesViolation("Who applied for the loan does not approve it.")


def _kyc_verified(customer: Customer | None) -> None:
    if customer is None:
        raise ApprovalRefused("The customer record is deleted.", extra={"reason": "customer"})
    if customer.kyc_status != KycStatus.verified:
        raise ApprovalRefused(
            f"The customer's KYC status is {customer.kyc_status}, not verified.",
            extra={"reason": "kyc"},
        )


def _approvable(ctx: LendingContext, loan: Loan, customer: Customer | None, now: datetime) -> None:
    _kyc_verified(customer)
    assert customer is not None
    if _stale(customer, now, ctx.settings.credit_check_max_age_days):
        raise ApprovalRefused(
            "The customer has no recent credit check.", extra={"reason": "credit_check"}
        )


async def reject(ctx: LendingContext, *, checker: Principal, loan_id: int, reason: str) -> LoanOut:
    async def work(session: AsyncSession) -> LoanOut:
        loan = await _pending(session, loan_id, for_update=True)
        return await _decide(session, loan, LoanStatus.rejected, checker, reason, ctx.clock.now())

    return await ctx.db.run(work)


async def _pending(session: AsyncSession, loan_id: int, *, for_update: bool = False) -> Loan:
    loan = await repository.loan(session, loan_id, for_update=for_update)
    if loan is None:
        raise LoanNotFound("No such loan.")
    if loan.status != LoanStatus.applied:
        raise LoanState(f"The loan is {loan.status}: only an application can be decided.")
    return loan


async def _decide(
    session: AsyncSession,
    loan: Loan,
    status: LoanStatus,
    checker: Principal,
    reason: str,
    now: datetime,
) -> LoanOut:
    loan.status, loan.decision_reason = status, reason
    loan.decided_by, loan.decided_at = checker.user.id, now
    await session.flush()
    record(session, f"loan.{status}", loan, actor_id=checker.user.id, reason=reason)
    return loan_out(loan)
