"""Lending through the API on both backends: products, applications, decisions, disbursement
on the ledger, the schedule, repayments (allocation, prepayment, payoff), delinquency, the
statement, and the portfolio account always minus the outstanding principal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.events.catalogue import validate_data
from corebank.ledger.verify import verify_ledger
from corebank.lending.delinquency import sweep
from corebank.main import create_app
from corebank.models import Account, Loan, OutboxEvent
from tests.ledger.helpers import API, balances, deposit, make_customer, open_account
from tests.support import auth_headers, create_user

PRODUCT = {
    "name": "Personal loan",
    "currency": "USD",
    "annual_rate": "12.00",
    "min_term_months": 6,
    "max_term_months": 36,
    "min_amount": "1000.00",
    "max_amount": "50000.00",
    "late_fee": "25.00",
    "late_fee_tolerance_days": 5,
}


class Bank:
    """The people of a lending test; `headers()` are fresh after the clock moved."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def setup(self, *, kyc: str = "verified", limit: int = 2_000_000) -> Bank:
        self.admin = await create_user(self.app, role="admin")
        self.staff = await create_user(self.app, role="staff")
        self.owner = await create_user(self.app, role="customer")
        self.customer = await make_customer(
            self.app, user_id=self.owner.id, credit_limit_minor=limit, kyc_status=kyc
        )
        return self

    async def headers(self, who: str) -> dict[str, str]:
        return await auth_headers(self.app, getattr(self, who))


async def product(client: httpx.AsyncClient, bank: Bank, **changes: Any) -> dict[str, Any]:
    body = {**PRODUCT, "name": f"Loan {id(changes)}-{len(changes)}", **changes}
    response = await client.post(
        f"{API}/loan-products", json=body, headers=await bank.headers("admin")
    )
    assert response.status_code == 201, response.text
    return response.json()


async def application(
    client: httpx.AsyncClient, bank: Bank, product_id: int, amount: str = "10000.00", term: int = 12
) -> tuple[dict[str, Any], dict[str, Any]]:
    staff = await bank.headers("staff")
    account = await open_account(client, staff, customer_id=bank.customer.id)
    response = await client.post(
        f"{API}/loans",
        json={
            "product_id": product_id,
            "amount": amount,
            "term_months": term,
            "account_id": account["id"],
        },
        headers=await bank.headers("owner"),
    )
    assert response.status_code == 201, response.text
    return response.json(), account


async def active_loan(
    client: httpx.AsyncClient, bank: Bank, **product_changes: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    made = await product(client, bank, **product_changes)
    loan, account = await application(client, bank, made["id"])
    staff = await bank.headers("staff")
    approved = await client.post(
        f"{API}/loans/{loan['id']}/approve", json={"reason": "fine"}, headers=staff
    )
    assert approved.status_code == 200, approved.text
    paid_out = await client.post(f"{API}/loans/{loan['id']}/disburse", headers=staff)
    assert paid_out.status_code == 201, paid_out.text
    return paid_out.json(), account


async def portfolio_balance(db: Database) -> int:
    async with db.session() as session:
        found = await session.scalar(
            select(Account.balance_minor).where(
                Account.kind == "loan_portfolio", Account.currency == "USD"
            )
        )
        owed = await session.scalar(select(func.sum(Loan.principal_outstanding_minor)))
    assert found == -(owed or 0), "the portfolio is minus the outstanding principal"
    return found or 0


async def repay(
    client: httpx.AsyncClient, bank: Bank, loan_id: int, amount: str, **extra: Any
) -> httpx.Response:
    import uuid

    return await client.post(
        f"{API}/loans/{loan_id}/repayments",
        json={"amount": amount, **extra},
        headers={**await bank.headers("owner"), "Idempotency-Key": uuid.uuid4().hex},
    )


@pytest.fixture
async def second_client(
    settings: Any, backend: str, clock: FrozenClock
) -> AsyncIterator[httpx.AsyncClient | None]:
    """A second app instance with its own Database and pool, on the same clock (PostgreSQL;
    SQLite has one writer anyway)."""
    if backend != "postgres":
        yield None
        return
    db = Database(settings)
    other = create_app(settings, database=db, clock=clock)
    transport = httpx.ASGITransport(app=other, client=("203.0.113.9", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await db.dispose()


@pytest.fixture
async def bank(app: Any) -> Bank:
    return await Bank(app).setup()


async def test_products_are_admin_only_and_frozen_once_used(
    app: Any, client: httpx.AsyncClient, bank: Bank
) -> None:
    refused = await client.post(
        f"{API}/loan-products", json=PRODUCT, headers=await bank.headers("staff")
    )
    assert refused.status_code == 403
    bad = await client.post(
        f"{API}/loan-products",
        json={**PRODUCT, "min_amount": "60000.00"},
        headers=await bank.headers("admin"),
    )
    assert bad.status_code == 422
    made = await product(client, bank)
    url = f"{API}/loan-products/{made['id']}"
    admin = await bank.headers("admin")
    changed = await client.patch(url, json={"annual_rate": "9.50"}, headers=admin)
    assert changed.status_code == 200 and changed.json()["annual_rate"] == "9.50"
    invalid = await client.patch(url, json={"min_term_months": 40}, headers=admin)
    assert invalid.status_code == 422, invalid.text  # above max_term_months once merged

    await application(client, bank, made["id"])

    other = await product(client, bank, name="Car loan")
    taken = await client.patch(
        f"{API}/loan-products/{other['id']}", json={"name": made["name"]}, headers=admin
    )
    assert taken.status_code == 409 and taken.json()["type"].endswith("/loan-product-name-taken")
    again = await client.post(
        f"{API}/loan-products", json={**PRODUCT, "name": "Car loan"}, headers=admin
    )
    assert again.status_code == 409
    frozen = await client.patch(url, json={"annual_rate": "5.00"}, headers=admin)
    assert frozen.status_code == 409
    assert frozen.json()["type"].endswith("/loan-product-in-use")
    retired = await client.patch(url, json={"status": "retired"}, headers=admin)
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    account = await open_account(client, await bank.headers("staff"), customer_id=bank.customer.id)
    late = await client.post(
        f"{API}/loans",
        json={
            "product_id": made["id"],
            "amount": "2000",
            "term_months": 12,
            "account_id": account["id"],
        },
        headers=await bank.headers("owner"),
    )
    assert late.status_code == 409
    assert late.json()["type"].endswith("/loan-product-retired")


async def test_an_application_outside_the_product_or_to_a_wrong_account_is_refused(
    app: Any, client: httpx.AsyncClient, bank: Bank
) -> None:
    made = await product(client, bank)
    staff = await bank.headers("staff")
    checking = await open_account(client, staff, customer_id=bank.customer.id)
    savings = await open_account(client, staff, customer_id=bank.customer.id, type="savings")
    euros = await open_account(client, staff, customer_id=bank.customer.id, currency="EUR")
    owner = await bank.headers("owner")

    async def apply(**body: Any) -> httpx.Response:
        fields = {"product_id": made["id"], "amount": "5000", "term_months": 12}
        return await client.post(f"{API}/loans", json={**fields, **body}, headers=owner)

    outside = await apply(amount="60000.00", term_months=48, account_id=checking["id"])
    assert outside.status_code == 422
    assert {tuple(e["loc"]) for e in outside.json()["errors"]} == {
        ("body", "amount"),
        ("body", "term_months"),
    }
    for account in (savings, euros):
        wrong = await apply(account_id=account["id"])
        assert wrong.status_code == 422, wrong.text
        assert wrong.json()["errors"][0]["loc"] == ["body", "account_id"]
    async with app.state.container.db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Loan)) == 0


async def test_approval_needs_kyc_and_a_fresh_credit_check_and_room_under_the_limit(
    app: Any, client: httpx.AsyncClient
) -> None:
    bank = await Bank(app).setup(kyc="pending", limit=500_000)
    made = await product(client, bank)
    loan, _ = await application(client, bank, made["id"], amount="4000.00")
    url = f"{API}/loans/{loan['id']}"
    staff = await bank.headers("staff")

    no_kyc = await client.post(f"{url}/approve", json={"reason": "ok"}, headers=staff)
    assert no_kyc.status_code == 422 and no_kyc.json()["reason"] == "kyc"
    async with app.state.container.db.session() as session:
        unchecked = await session.get(type(bank.customer), bank.customer.id)
        assert unchecked.credit_score is None  # KYC is checked before the bureau is asked
    async with app.state.container.db.transaction() as session:
        customer = await session.get(type(bank.customer), bank.customer.id)
        customer.kyc_status = "verified"
    second, _ = await application(client, bank, made["id"], amount="2000.00")
    over = await client.post(
        f"{API}/loans/{second['id']}/approve", json={"reason": "ok"}, headers=staff
    )
    assert over.status_code == 422 and over.json()["reason"] == "credit_limit"  # 4,000 + 2,000
    rejected = await client.post(
        f"{API}/loans/{second['id']}/reject", json={"reason": "limit"}, headers=staff
    )
    assert rejected.json()["status"] == "rejected"

    approved = await client.post(f"{url}/approve", json={"reason": "ok"}, headers=staff)

    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    async with app.state.container.db.session() as session:
        customer = await session.get(type(bank.customer), bank.customer.id)
        assert customer.credit_score is not None  # the stale check ran through the bureau
    again = await client.post(f"{url}/approve", json={"reason": "ok"}, headers=staff)
    assert again.status_code == 409


async def test_the_known_answer_schedule_and_a_disbursement_on_the_ledger(
    app: Any, client: httpx.AsyncClient, db: Database, bank: Bank
) -> None:
    made = await product(client, bank)
    loan, account = await application(client, bank, made["id"])
    owner = await bank.headers("owner")
    projected = (await client.get(f"{API}/loans/{loan['id']}/schedule", headers=owner)).json()
    assert projected["projected"] is True
    assert [row["total"] for row in projected["installments"]] == ["888.49"] * 11 + ["888.47"]
    assert projected["total_principal"] == "10000.00"

    loan, account = await active_loan(client, bank)

    assert loan["status"] == "active" and loan["principal_outstanding"] == "10000.00"
    assert await balances(db, account["id"]) == {account["id"]: (1_000_000, 0)}
    assert await portfolio_balance(db) == -1_000_000
    staff = await bank.headers("staff")
    twice = await client.post(f"{API}/loans/{loan['id']}/disburse", headers=staff)
    assert twice.status_code == 409 and twice.json()["type"].endswith("/loan-state")
    reversal = await client.post(
        f"{API}/transactions/{loan['disbursement_transaction_id']}/reverse",
        json={"reason": "no"},
        headers=await bank.headers("admin"),
    )
    assert reversal.status_code == 409
    stored = (await client.get(f"{API}/loans/{loan['id']}/schedule", headers=owner)).json()
    assert [row["status"] for row in stored["installments"]] == ["due"] * 12
    assert (await verify_ledger(db)).ok


async def test_repayments_allocate_prepay_and_pay_off(
    app: Any, client: httpx.AsyncClient, db: Database, bank: Bank, clock: FrozenClock
) -> None:
    loan, account = await active_loan(client, bank)
    clock.advance(days=32)  # the first installment is due

    first = await repay(client, bank, loan["id"], "888.49")

    assert first.status_code == 201, first.text
    body = first.json()
    assert (body["interest"], body["principal"], body["fee"]) == ("100.00", "788.49", "0.00")
    assert body["allocation"] == [
        {"installment": 1, "fee": "0.00", "interest": "100.00", "principal": "788.49"}
    ]
    assert body["loan"]["principal_outstanding"] == "9211.51"
    assert await portfolio_balance(db) == -921_151

    prepaid = await repay(client, bank, loan["id"], "2000.00")
    assert prepaid.status_code == 201, prepaid.text
    beyond = prepaid.json()["allocation"][-1]
    # first the interest accrued since the due date (one day on 9,211.51 at 12 %), then principal
    assert beyond == {
        "installment": None,
        "fee": "0.00",
        "interest": "3.07",
        "principal": "1996.93",
    }
    schedule = (
        await client.get(f"{API}/loans/{loan['id']}/schedule", headers=await bank.headers("owner"))
    ).json()
    assert len(schedule["installments"]) < 12  # same installment, shorter term
    assert schedule["installments"][2]["total"] == "888.49"
    next_one = schedule["installments"][1]  # interest from today only, on the smaller balance
    assert float(next_one["interest"]) < 72.15

    quote = (
        await client.get(
            f"{API}/loans/{loan['id']}/payoff-quote", headers=await bank.headers("owner")
        )
    ).json()
    too_much = await repay(client, bank, loan["id"], f"{float(quote['total']) + 1:.2f}")
    assert too_much.status_code == 422
    await deposit(client, await bank.headers("staff"), account["id"], "1000.00")
    paid_off = await repay(client, bank, loan["id"], quote["total"])

    assert paid_off.status_code == 201, paid_off.text
    assert paid_off.json()["loan"]["status"] == "paid_off"
    assert await portfolio_balance(db) == 0
    statement = await client.get(
        f"{API}/loans/{loan['id']}/statement",
        params={"format": "csv"},
        headers=await bank.headers("owner"),
    )
    assert statement.text.count(",repayment,") == 3 and ",disbursement," in statement.text
    assert (await verify_ledger(db)).ok


async def test_overdue_installments_get_a_late_fee_after_the_tolerance(
    app: Any, client: httpx.AsyncClient, db: Database, bank: Bank, clock: FrozenClock
) -> None:
    loan, _ = await active_loan(client, bank)
    clock.advance(days=31 + 3)  # due, within the 5 days' tolerance
    assert await sweep(db, now=clock.now()) == 1
    shown = (
        await client.get(f"{API}/loans/{loan['id']}", headers=await bank.headers("owner"))
    ).json()
    assert (shown["days_past_due"] > 0, shown["bucket"]) == (True, "1-30")
    schedule = (
        await client.get(f"{API}/loans/{loan['id']}/schedule", headers=await bank.headers("owner"))
    ).json()
    assert schedule["installments"][0]["fee"] == "0.00"

    clock.advance(days=5)
    assert await sweep(db, now=clock.now()) == 0  # overdue already: no second event
    schedule = (
        await client.get(f"{API}/loans/{loan['id']}/schedule", headers=await bank.headers("owner"))
    ).json()
    assert schedule["installments"][0]["fee"] == "25.00"
    assert schedule["installments"][0]["status"] == "overdue"

    paid = await repay(client, bank, loan["id"], "913.49")  # fee first, then the installment
    assert paid.status_code == 201, paid.text
    assert paid.json()["allocation"][0] == {
        "installment": 1,
        "fee": "25.00",
        "interest": "100.00",
        "principal": "788.49",
    }
    assert paid.json()["loan"]["bucket"] == "current"
    async with db.session() as session:
        events = (
            await session.scalars(select(OutboxEvent).where(OutboxEvent.type.like("loan.%")))
        ).all()
    for event in events:
        validate_data(event.type, event.payload)
    types = [event.type for event in events]
    assert types.count("loan.overdue") == 1 and "loan.repayment_received" in types
    assert {"loan.applied", "loan.approved", "loan.disbursed"} <= set(types)


async def test_concurrent_repayments_each_land_once(
    app: Any,
    client: httpx.AsyncClient,
    second_client: httpx.AsyncClient | None,
    db: Database,
    bank: Bank,
    clock: FrozenClock,
) -> None:
    """Four repayments of one loan at once, from two clients (two app instances, each with its
    own pool, on PostgreSQL): each lands once and allocations never count twice."""
    loan, _ = await active_loan(client, bank)
    clock.advance(days=95)  # three installments due
    clients = [client, second_client or client]
    answers = await asyncio.gather(
        *(repay(clients[n % 2], bank, loan["id"], "500.00") for n in range(4))
    )
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    async with db.session() as session:
        row = await session.get(Loan, loan["id"])
        outstanding = row.principal_outstanding_minor
    principal = sum(int(a.json()["principal"].replace(".", "")) for a in answers)
    interest = sum(int(a.json()["interest"].replace(".", "")) for a in answers)
    fees = sum(int(a.json()["fee"].replace(".", "")) for a in answers)
    assert principal + interest + fees == 200_000  # late fees come first: two are overdue
    assert outstanding == 1_000_000 - principal
    assert await portfolio_balance(db) == -outstanding
    assert (await verify_ledger(db)).ok


async def test_staff_who_applied_for_a_customer_do_not_approve_it(
    app: Any, client: httpx.AsyncClient, bank: Bank
) -> None:
    made = await product(client, bank)
    staff = await bank.headers("staff")
    account = await open_account(client, staff, customer_id=bank.customer.id)
    applied = await client.post(
        f"{API}/loans",
        json={
            "product_id": made["id"],
            "customer_id": bank.customer.id,
            "amount": "2000.00",
            "term_months": 12,
            "account_id": account["id"],
        },
        headers=staff,
    )
    assert applied.status_code == 201, applied.text
    url = f"{API}/loans/{applied.json()['id']}/approve"
    own = await client.post(url, json={"reason": "fine"}, headers=staff)
    assert own.status_code == 403 and own.json()["type"].endswith("/four-eyes-violation")
    other = await client.post(url, json={"reason": "fine"}, headers=await bank.headers("admin"))
    assert other.status_code == 200 and other.json()["status"] == "approved"


async def test_a_late_payment_pays_its_fee_whether_or_not_the_sweep_ran(
    app: Any, client: httpx.AsyncClient, db: Database, bank: Bank, clock: FrozenClock
) -> None:
    loan, _ = await active_loan(client, bank)
    clock.advance(days=31 + 10)  # past the due date and the 5 days' tolerance; no sweep

    paid = await repay(client, bank, loan["id"], "913.49")

    assert paid.status_code == 201, paid.text
    assert paid.json()["allocation"][0] == {
        "installment": 1,
        "fee": "25.00",
        "interest": "100.00",
        "principal": "788.49",
    }
    assert await portfolio_balance(db) == -921_151
