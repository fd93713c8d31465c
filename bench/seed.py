"""Seed the bench database directly (COPY on PostgreSQL, executemany on SQLite), never via HTTP.

The data set: 10,000 customers with 2 USD accounts each (20,000 accounts) and one settlement
account; 100,000 balanced journal entries with 200,000 postings (a deposit into every account,
then transfers, 55 of them touching each of the 1,000 "busy" accounts so a history page of 50
is full); staff, customer and login users sharing one password hashed once at the configured
Argon2 cost; one live session per staff and customer user, and an access token for each.

Every posting carries its account's running `balance_after` and every stored balance equals
the sum of its postings, so `corebank ledger verify` passes on the seeded data.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
from pwdlib.hashers.argon2 import Argon2Hasher

from corebank.accounts.numbers import check_digits
from corebank.config import Settings
from corebank.customers.search import fold, search_text
from corebank.identity.policy import PasswordPolicy
from corebank.identity.tokens import TokenService, TokenType

PASSWORD = "Bench-Load-Pass-42!"
CURRENCY = "USD"
TOKEN_LIFETIME = timedelta(hours=6)

_FIRST_NAMES_TEXT = """
James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara
Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy
Matthew Betty Anthony Sandra Mark Margaret Donald Ashley Steven Kimberly Andrew Emily
Paul Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Melissa George Deborah
Timothy Stephanie Ronald Rebecca Jason Sharon Edward Laura Jeffrey Cynthia Ryan Dorothy
Jacob Amy Gary Kathleen Nicholas Angela Eric Shirley Jonathan Emma Stephen Brenda Larry
Pamela Justin Nicole Scott Anna Brandon Samantha Benjamin Katherine Samuel Christine
Gregory Debra Alexander Rachel Patrick Carolyn Frank Janet Raymond Maria Jack Olivia José
Zoë Renée André
"""
FIRST_NAMES = tuple(_FIRST_NAMES_TEXT.split())
_LAST_NAMES_TEXT = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White
Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres
Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts
Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales
Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos
Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes
Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jiménez Müller
"""
LAST_NAMES = tuple(_LAST_NAMES_TEXT.split())


@dataclass(frozen=True)
class SeedPlan:
    """How much to seed (the issue's sizes by default)."""

    customers: int = 10_000
    accounts_per_customer: int = 2
    postings: int = 200_000
    busy_accounts: int = 1_000
    busy_postings: int = 55
    staff_users: int = 8
    customer_users: int = 1_000
    login_users: int = 200
    hot_accounts: int = 5
    opening_deposit_minor: int = 1_000_000_000  # 10,000,000.00 USD per account
    max_transfer_minor: int = 10_000
    seed: int = 20261123

    @property
    def accounts(self) -> int:
        return self.customers * self.accounts_per_customer


@dataclass
class LoadData:
    """What the load clients need: tokens, account ids, login names, search terms."""

    staff_tokens: list[str]
    customer_tokens: list[tuple[str, int, int]]  # token, and the two accounts it owns
    login_emails: list[str]
    password: str
    accounts: int
    busy_accounts: int
    hot_accounts: list[int]
    search_terms: list[str]
    settlement_account_id: int
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Rows:
    """Every seeded row, per table, as tuples in the column order of `COLUMNS`."""

    users: list[tuple[Any, ...]] = field(default_factory=list)
    customers: list[tuple[Any, ...]] = field(default_factory=list)
    accounts: list[tuple[Any, ...]] = field(default_factory=list)
    journal_entries: list[tuple[Any, ...]] = field(default_factory=list)
    postings: list[tuple[Any, ...]] = field(default_factory=list)
    auth_sessions: list[tuple[Any, ...]] = field(default_factory=list)


COLUMNS: dict[str, tuple[str, ...]] = {
    "users": (
        "id",
        "email",
        "username",
        "full_name",
        "password_hash",
        "role",
        "is_active",
        "pin_failed_count",
        "password_changed_at",
        "created_at",
        "updated_at",
    ),
    "customers": (
        "id",
        "user_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "date_of_birth",
        "address_line1",
        "city",
        "postal_code",
        "country",
        "credit_limit_minor",
        "kyc_status",
        "search_text",
        "created_at",
        "updated_at",
    ),
    "accounts": (
        "id",
        "number",
        "customer_id",
        "kind",
        "type",
        "currency",
        "status",
        "nickname",
        "balance_minor",
        "held_minor",
        "overdraft_limit_minor",
        "created_at",
        "updated_at",
    ),
    "journal_entries": (
        "id",
        "type",
        "currency",
        "amount_minor",
        "description",
        "created_by",
        "correlation_id",
        "created_at",
    ),
    "postings": (
        "id",
        "entry_id",
        "account_id",
        "amount_minor",
        "balance_after_minor",
        "created_at",
    ),
    "auth_sessions": ("id", "user_id", "created_at", "last_seen_at", "expires_at", "user_agent"),
}
TABLE_ORDER = ("users", "customers", "accounts", "journal_entries", "postings", "auth_sessions")


def password_hash(settings: Settings) -> str:
    """The bench password hashed once at the configured Argon2 cost (shared by every user)."""
    hasher = Argon2Hasher(
        time_cost=settings.argon2_time_cost,
        memory_cost=settings.argon2_memory_cost,
        parallelism=settings.argon2_parallelism,
    )
    return hasher.hash(PasswordPolicy().normalize(PASSWORD))


def account_number(account_id: int) -> str:
    body = str(1_000_000_000 + account_id)
    return body + check_digits(body)


def build(plan: SeedPlan, *, settings: Settings, secret_key: str) -> tuple[Rows, LoadData]:
    """Every row of the data set, and the tokens that go with its sessions."""
    rng = random.Random(plan.seed)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=90)
    rows = Rows()
    hashed = password_hash(settings)

    def user(uid: int, email: str, name: str, role: str) -> None:
        rows.users.append((uid, email, None, name, hashed, role, True, 0, start, start, start))

    uid = 0
    staff_ids = []
    for i in range(plan.staff_users):
        uid += 1
        user(uid, f"staff{i}@bench.example", f"Staff Member {i}", "staff")
        staff_ids.append(uid)

    customer_user: dict[int, int] = {}
    used_names: list[tuple[str, str]] = []
    for cid in range(1, plan.customers + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        used_names.append((first, last))
        if cid <= plan.customer_users:
            uid += 1
            customer_user[cid] = uid
            user(uid, _customer_email(first, last, cid), f"{first} {last}", "customer")
    login_emails = []
    for i in range(plan.login_users):
        uid += 1
        login_emails.append(f"login{i}@bench.example")
        user(uid, login_emails[-1], f"Login User {i}", "customer")

    created = start
    for cid, (first, last) in enumerate(used_names, start=1):
        email = _customer_email(first, last, cid)
        phone = f"+1202{cid:07d}"
        rows.customers.append(
            (
                cid,
                customer_user.get(cid),
                first,
                last,
                email,
                phone,
                date(1950, 1, 1) + timedelta(days=rng.randrange(18_000)),
                f"{rng.randrange(1, 999)} Main Street",
                "Springfield",
                f"{rng.randrange(10_000, 99_999)}",
                "US",
                100_000,
                "verified",
                search_text(first_name=first, last_name=last, email=email, phone=phone),
                created,
                created,
            )
        )
        created += timedelta(seconds=1)

    balances = _ledger(plan, rng, rows, created_by=staff_ids[0], start=start + timedelta(days=1))
    settlement = plan.accounts + 1
    for aid in range(1, plan.accounts + 2):
        is_settlement = aid == settlement
        rows.accounts.append(
            (
                aid,
                account_number(aid),
                None if is_settlement else (aid - 1) // plan.accounts_per_customer + 1,
                "settlement" if is_settlement else "customer",
                "internal" if is_settlement else ("checking" if aid % 2 else "savings"),
                CURRENCY,
                "active",
                f"{CURRENCY} settlement" if is_settlement else None,
                balances.get(aid, 0),
                0,
                0,
                start,
                start,
            )
        )

    tokens = TokenService(secret_key)
    session_id = 0

    def session_token(user_id: int, role: str) -> str:
        nonlocal session_id
        session_id += 1
        rows.auth_sessions.append(
            (session_id, user_id, now, now, now + timedelta(days=7), "corebank-bench")
        )
        token, _ = tokens.issue(
            user_id=user_id,
            session_id=session_id,
            role=role,
            token_type=TokenType.access,
            now=now,
            lifetime=TOKEN_LIFETIME,
        )
        return token

    staff_tokens = [session_token(u, "staff") for u in staff_ids]
    customer_tokens = []
    for cid, owner in customer_user.items():
        first_account = (cid - 1) * plan.accounts_per_customer + 1
        customer_tokens.append((session_token(owner, "customer"), first_account, first_account + 1))
    terms = sorted({_fold_term(last) for _, last in used_names})
    data = LoadData(
        staff_tokens=staff_tokens,
        customer_tokens=customer_tokens,
        login_emails=login_emails,
        password=PASSWORD,
        accounts=plan.accounts,
        busy_accounts=plan.busy_accounts,
        hot_accounts=list(range(1, plan.hot_accounts + 1)),
        search_terms=terms,
        settlement_account_id=settlement,
        counts={table: len(getattr(rows, table)) for table in TABLE_ORDER},
    )
    return rows, data


def _customer_email(first: str, last: str, cid: int) -> str:
    local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isascii())
    return f"{local}.{cid}@example.com"


def _fold_term(last: str) -> str:
    """The search term for a last name, as the API folds it (ASCII for these names)."""
    return fold(last)


def _ledger(
    plan: SeedPlan, rng: random.Random, rows: Rows, *, created_by: int, start: datetime
) -> dict[int, int]:
    """Deposits into every account, then transfers; returns each account's final balance."""
    settlement = plan.accounts + 1
    balances: dict[int, int] = {}
    entry_id = posting_id = 0
    moment = start

    def entry(kind: str, amount: int, legs: Sequence[tuple[int, int]]) -> None:
        nonlocal entry_id, posting_id, moment
        entry_id += 1
        moment += timedelta(milliseconds=50)
        rows.journal_entries.append(
            (entry_id, kind, CURRENCY, amount, f"bench {kind}", created_by, None, moment)
        )
        for account_id, leg in legs:
            posting_id += 1
            balances[account_id] = balances.get(account_id, 0) + leg
            rows.postings.append(
                (posting_id, entry_id, account_id, leg, balances[account_id], moment)
            )

    deposit = plan.opening_deposit_minor
    for aid in range(1, plan.accounts + 1):
        entry("deposit", deposit, [(aid, deposit), (settlement, -deposit)])
    transfers = (plan.postings - 2 * plan.accounts) // 2
    busy = [aid for aid in range(1, plan.busy_accounts + 1) for _ in range(plan.busy_postings)]
    busy = busy[:transfers]
    rng.shuffle(busy)
    for n in range(transfers):
        first = busy[n] if n < len(busy) else rng.randint(1, plan.accounts)
        other = rng.randint(1, plan.accounts)
        while other == first:
            other = rng.randint(1, plan.accounts)
        source, destination = (first, other) if rng.random() < 0.5 else (other, first)
        amount = rng.randint(1, plan.max_transfer_minor)
        entry("transfer", amount, [(source, -amount), (destination, amount)])
    return balances


#: Told how many more rows were written (`corebank.cli.common.progress` draws it).
Progress = Callable[[int], None]


def _no_progress(_: int) -> None:
    return None


async def write_postgres(dsn: str, rows: Rows, *, progress: Progress = _no_progress) -> None:
    """COPY every table (insert-only: the append-only triggers allow it), then fix sequences."""
    conn = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            for table in TABLE_ORDER:
                await conn.copy_records_to_table(
                    table, records=getattr(rows, table), columns=list(COLUMNS[table])
                )
                progress(len(getattr(rows, table)))
            for table in TABLE_ORDER:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def write_sqlite(path: str, rows: Rows, *, progress: Progress = _no_progress) -> None:
    """executemany in one transaction (the FTS5 search triggers index the customers)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("BEGIN IMMEDIATE")
        for table in TABLE_ORDER:
            columns = COLUMNS[table]
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})"
            )
            conn.executemany(sql, (_sqlite_row(row) for row in getattr(rows, table)))
            progress(len(getattr(rows, table)))
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
    finally:
        conn.close()


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """SQLite stores UTC timestamps naive, as SQLAlchemy's DateTime writes them."""
    return tuple(
        v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(v, datetime)
        else v.isoformat()
        if isinstance(v, date)
        else v
        for v in row
    )
