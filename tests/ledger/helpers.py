"""Helpers shared by the account and ledger tests: customers, accounts, money, totals."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from sqlalchemy import func, select

from corebank.container import Container, build_container, close_container
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.identity.principal import Caller, Principal
from corebank.models import Account, Customer, JournalEntry, Posting, User
from tests.support import login_as

API = "/api/v1"


async def make_customer(
    app: Any,
    *,
    user_id: int | None = None,
    credit_limit_minor: int = 0,
    kyc_status: str = "verified",
) -> Customer:
    """Insert a customer record directly (the customers API belongs to another domain)."""
    return await insert_customer(
        app.state.container.db,
        user_id=user_id,
        credit_limit_minor=credit_limit_minor,
        kyc_status=kyc_status,
    )


async def insert_customer(
    db: Database,
    *,
    user_id: int | None = None,
    credit_limit_minor: int = 0,
    kyc_status: str = "verified",
) -> Customer:
    token = secrets.token_hex(5)
    async with db.transaction() as session:
        customer = Customer(
            user_id=user_id,
            first_name="Ada",
            last_name="Lovelace",
            email=f"c-{token}@example.com",
            phone=f"+1{secrets.randbelow(10**10):010d}",
            credit_limit_minor=credit_limit_minor,
            kyc_status=kyc_status,
        )
        session.add(customer)
    return customer


async def customer_user(
    app: Any, *, credit_limit_minor: int = 0, kyc_status: str = "verified"
) -> tuple[Any, dict[str, str], Customer]:
    """A customer user, headers authenticating them, and their customer record."""
    user, headers = await login_as(app, "customer")
    customer = await make_customer(
        app, user_id=user.id, credit_limit_minor=credit_limit_minor, kyc_status=kyc_status
    )
    return user, headers, customer


async def service_actor(db: Database, role: str = "staff") -> Principal:
    """A user of `role`, as the service layer sees a caller (no HTTP, no session)."""
    async with db.transaction() as session:
        user = User(
            email=f"{role}-{secrets.token_hex(5)}@example.com",
            full_name=f"Service {role}",
            password_hash="not-a-hash",
            role=role,
            is_active=True,
            pin_failed_count=0,
        )
        session.add(user)
    return Principal(user=Caller(id=user.id, role=user.role), session_id=0)


@asynccontextmanager
async def service_contexts(db: Database, clock: Clock) -> AsyncIterator[Container]:
    """The app's services over `db` and `clock`, built by the composition root, for tests
    that call the account and ledger services directly (no HTTP); closed after."""
    container = build_container(db.settings, database=db, clock=clock)
    try:
        yield container
    finally:
        await close_container(container)


async def tamper(db: Database, table: str, sql: str) -> None:
    """Change ledger rows behind the append-only triggers, as an attacker with access would."""
    async with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            await connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            for operation in ("update", "delete"):
                await connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")
        await connection.exec_driver_sql(sql)


def key() -> dict[str, str]:
    """A fresh Idempotency-Key header."""
    return {"Idempotency-Key": uuid.uuid4().hex}


async def open_account(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    *,
    customer_id: int | None = None,
    currency: str = "USD",
    type: str = "checking",
) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type, "currency": currency}
    if customer_id is not None:
        body["customer_id"] = customer_id
    response = await client.post(f"{API}/accounts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def deposit(
    client: httpx.AsyncClient, staff: dict[str, str], account_id: int, amount: str
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/accounts/{account_id}/deposits", json={"amount": amount}, headers=staff
    )
    assert response.status_code == 201, response.text
    return response.json()


async def balances(db: Database, *ids: int) -> dict[int, tuple[int, int]]:
    """Stored (balance, held) of accounts."""
    async with db.session() as session:
        rows = await session.execute(
            select(Account.id, Account.balance_minor, Account.held_minor).where(Account.id.in_(ids))
        )
        return {r[0]: (r[1], r[2]) for r in rows}


async def entry_count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(JournalEntry)) or 0


async def posting_count(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Posting)) or 0


async def ledger_total(db: Database) -> int:
    """The sum of every posting (zero when the ledger balances)."""
    async with db.session() as session:
        return int(await session.scalar(select(func.sum(Posting.amount_minor))) or 0)


async def funded_account(
    client: httpx.AsyncClient,
    app: Any,
    staff: dict[str, str],
    amount: str = "100.00",
    currency: str = "USD",
    **customer: Any,
) -> tuple[dict[str, Any], dict[str, str], Any]:
    """A customer-owned account with `amount` deposited: (account, customer headers, user)."""
    user, headers, record = await customer_user(app, **customer)
    account = await open_account(client, staff, customer_id=record.id, currency=currency)
    if amount:
        await deposit(client, staff, account["id"], amount)
    return account, headers, user
