"""The generated Python client (clients/python) against a real `corebank serve` on SQLite:
the whole story a client walks, through `corebank_client` calls and the hand-written session.
"""

import asyncio
import csv
import io
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from corebank_client.api.accounts import open_account
from corebank_client.api.auth import refresh, register
from corebank_client.api.customers import create_customer
from corebank_client.api.ledger import deposit, list_transactions, transfer
from corebank_client.api.users import read_me
from corebank_client.models import (
    AccountCreate,
    AccountOut,
    CustomerCreate,
    CustomerOut,
    DepositIn,
    OpenableType,
    PageAccountTransactionOut,
    PostedTransactionOut,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    TransferIn,
    UserOut,
)
from corebank_client_ext import CorebankSession, ProblemError, Tokens

from tests.support import free_port

pytestmark = pytest.mark.slow

ADMIN_EMAIL = "root@example.com"
ADMIN_PASSWORD = "Adm1n-Str0ng-Pass!"
CUSTOMER_PASSWORD = "Cust0mer-Str0ng-Pass!"


class RecordingTransport(httpx.BaseTransport):
    """The network transport, keeping every request the session sent (headers included)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _cli(env: dict[str, str], cwd: Path, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "corebank.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{base} did not become ready")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    cwd = tmp_path_factory.mktemp("client")
    env = os.environ | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{cwd / 'client.db'}",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "1024",
        "ARGON2_PARALLELISM": "1",
        "RATE_LIMIT_ENABLED": "false",
        "OUTBOX_DISPATCHER_IN_PROCESS": "false",
    }
    env.pop("REDIS_URL", None)
    _cli(env, cwd, "migrate")
    _cli(env, cwd, "create-admin", "--email", ADMIN_EMAIL, "--password", ADMIN_PASSWORD)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "corebank.cli", "serve", "--no-migrate", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _staff_opens_customer_and_accounts(
    staff: CorebankSession, *, user_id: int
) -> tuple[AccountOut, AccountOut]:
    customer = create_customer.sync(
        client=staff.client,
        body=CustomerCreate(
            email="ada@example.com",
            first_name="Ada",
            last_name="Lovelace",
            phone="+14155550100",
            user_id=user_id,
        ),
    )
    assert isinstance(customer, CustomerOut)
    assert customer.user_id == user_id
    accounts = [
        open_account.sync(
            client=staff.client,
            body=AccountCreate(currency="USD", type_=kind, customer_id=customer.id),
        )
        for kind in (OpenableType.CHECKING, OpenableType.SAVINGS)
    ]
    assert all(isinstance(account, AccountOut) for account in accounts)
    checking, savings = accounts
    assert isinstance(checking, AccountOut) and isinstance(savings, AccountOut)
    return checking, savings


async def _history_pages(customer: CorebankSession, account_id: int) -> list[list[str]]:
    """Every page of the account's history, two lines a page, through the async calls."""
    pages: list[list[str]] = []
    cursor: str | None = None
    while True:
        page = await list_transactions.asyncio(
            account_id, client=customer.client, limit=2, cursor=cursor
        )
        assert isinstance(page, PageAccountTransactionOut)
        pages.append([f"{line.type_} {line.amount} -> {line.balance_after}" for line in page.items])
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


async def _async_part(base: str, account_id: int, tokens: Tokens) -> list[list[str]]:
    """The same user's session (its tokens shared), driven by the async calls."""
    async with CorebankSession(base, tokens=tokens) as customer:
        me = await read_me.asyncio(client=customer.client)
        assert isinstance(me, UserOut) and me.email == "ada@example.com"
        return await _history_pages(customer, account_id)


def test_the_whole_story_through_the_generated_client(server: str) -> None:
    recorder = RecordingTransport()
    with CorebankSession(server) as staff, CorebankSession(server, transport=recorder) as ada:
        user = register.sync(
            client=ada.client,
            body=RegisterRequest(
                email="ada@example.com", full_name="Ada Lovelace", password=CUSTOMER_PASSWORD
            ),
        )
        assert isinstance(user, UserOut) and user.role == "customer"
        assert isinstance(ada.login("ada@example.com", CUSTOMER_PASSWORD), TokenPair)
        assert isinstance(staff.login(ADMIN_EMAIL, ADMIN_PASSWORD), TokenPair)
        checking, savings = _staff_opens_customer_and_accounts(staff, user_id=user.id)

        posted = deposit.sync(checking.id, client=staff.client, body=DepositIn(amount="100.00"))
        assert isinstance(posted, PostedTransactionOut)
        assert posted.balances[0].balance == "100.00"

        # no key given: the session adds one, and the same key again replays the transfer
        body = TransferIn(amount="30.00", from_account_id=checking.id, to_account_id=savings.id)
        moved = transfer.sync(client=ada.client, body=body)
        assert isinstance(moved, PostedTransactionOut)
        key = recorder.sent[-1].headers["Idempotency-Key"]
        assert len(key) == 36
        replayed = transfer.sync(client=ada.client, body=body, idempotency_key=key)
        assert isinstance(replayed, PostedTransactionOut)
        assert replayed.id == moved.id
        for amount in ("10.00", "5.00"):
            paid = TransferIn(amount=amount, from_account_id=checking.id, to_account_id=savings.id)
            transfer.sync(client=ada.client, body=paid)
        keys = [
            r.headers["Idempotency-Key"] for r in recorder.sent if r.url.path.endswith("transfers")
        ]
        assert len(set(keys)) == 3  # one per transfer, the replay's being the first's

        # a refusal is one typed exception with the problem's fields
        with pytest.raises(ProblemError) as refused:
            transfer.sync(
                client=ada.client,
                body=TransferIn(
                    amount="1000.00", from_account_id=checking.id, to_account_id=savings.id
                ),
            )
        assert refused.value.status == 422
        assert refused.value.type.endswith("insufficient-funds")
        assert refused.value.detail
        assert refused.value.correlation_id
        with pytest.raises(ProblemError) as invalid:
            deposit.sync(checking.id, client=staff.client, body=DepositIn(amount="1.234"))
        assert invalid.value.status == 422
        assert [error["loc"] for error in invalid.value.errors] == [["body", "amount"]]

        pages = asyncio.run(_async_part(server, checking.id, ada.tokens))
        assert pages == [
            ["transfer -5.00 -> 55.00", "transfer -10.00 -> 60.00"],
            ["transfer -30.00 -> 70.00", "deposit 100.00 -> 100.00"],
        ]
        statement = list(csv.DictReader(io.StringIO(ada.statement_csv(checking.id))))
        assert [(line["type"], line["amount"], line["balance"]) for line in statement] == [
            ("opening_balance", "", "0.00"),
            ("deposit", "100.00", "100.00"),
            ("transfer", "-30.00", "70.00"),
            ("transfer", "-10.00", "60.00"),
            ("transfer", "-5.00", "55.00"),
            ("closing_balance", "", "55.00"),
        ]

        # an access token the server refuses: one refresh (the pair rotates), then the call
        old_refresh = ada.tokens.refresh_token
        ada.tokens.access_token = "expired"
        me = read_me.sync(client=ada.client)
        assert isinstance(me, UserOut) and me.id == user.id
        assert ada.tokens.refresh_token != old_refresh
        assert [r.url.path for r in recorder.sent[-3:]] == [
            "/api/v1/users/me",
            "/api/v1/auth/refresh",
            "/api/v1/users/me",
        ]
        with pytest.raises(ProblemError) as reused:
            refresh.sync(client=staff.client, body=RefreshRequest(refresh_token=old_refresh or ""))
        assert reused.value.status == 401

        ada.logout()
        assert ada.tokens.access_token is None
        with pytest.raises(ProblemError) as logged_out:
            read_me.sync(client=ada.client)
        assert logged_out.value.status == 401


def test_a_refused_refresh_is_tried_once_then_raised(server: str) -> None:
    recorder = RecordingTransport()
    with CorebankSession(server, transport=recorder) as staff:
        staff.login(ADMIN_EMAIL, ADMIN_PASSWORD)
        staff.tokens.access_token, staff.tokens.refresh_token = "expired", "revoked"
        with pytest.raises(ProblemError) as refused:
            read_me.sync(client=staff.client)
    assert refused.value.status == 401
    assert refused.value.correlation_id
    assert [r.url.path for r in recorder.sent[1:]] == ["/api/v1/users/me", "/api/v1/auth/refresh"]
    assert staff.tokens == Tokens()
