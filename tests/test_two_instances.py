"""Two `corebank serve` processes on one PostgreSQL and one Redis behave as one service.

Lockout, rate limits, session revocation, idempotency keys and ledger invariants must hold
whichever instance a request lands on. Run alone with `pytest -m slow tests/test_two_instances.py`.
"""

import asyncio
import os
import secrets
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as redis_asyncio

from tests.support import PG_ADMIN_DSN, free_port, two_instance_redis_url, unavailable

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "Adm1n-Str0ng-Pass!"
STAFF_PASSWORD = "St4ff-Str0ng-Pass!"
REDIS_DB_URL = two_instance_redis_url()


def _database_name() -> str:
    return f"corebank_two_{os.getpid()}"


async def _drop_database() -> None:
    admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{_database_name()}" WITH (FORCE)')
    finally:
        await admin.close()


async def _fresh_database() -> str:
    name = _database_name()
    try:
        admin = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        unavailable(f"PostgreSQL is unreachable at {PG_ADMIN_DSN}: {exc}")
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}"


async def _flush_redis() -> None:
    client = redis_asyncio.from_url(REDIS_DB_URL, socket_connect_timeout=1)
    try:
        await client.flushdb()
    except (OSError, redis_asyncio.RedisError) as exc:
        unavailable(f"Redis is unreachable at {REDIS_DB_URL}: {exc}")
    finally:
        await client.aclose()


def _environment(database_url: str) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_DB_URL,
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "1024",
        "ARGON2_PARALLELISM": "1",
        "RATE_LIMIT_DEFAULT": "100000/minute",
        "RATE_LIMIT_LOGIN": "10/minute",
        "OUTBOX_DISPATCHER_IN_PROCESS": "false",
    }


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


def _start(env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "corebank.cli", "serve", "--no-migrate", "--port", str(port)],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{port}"


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"{base} did not become ready")


@pytest.fixture(scope="module")
def instances(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, dict]]:
    cwd = tmp_path_factory.mktemp("two")
    database_url = asyncio.run(_fresh_database())
    asyncio.run(_flush_redis())
    env = _environment(database_url)
    _cli(env, cwd, "migrate")
    _cli(env, cwd, "create-admin", "--email", "root@example.com", "--password", ADMIN_PASSWORD)
    (first, a), (second, b) = _start(env, cwd), _start(env, cwd)
    try:
        _wait_ready(a)
        _wait_ready(b)
        yield a, b, env
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(timeout=30)
        asyncio.run(_flush_redis())
        asyncio.run(_drop_database())


@pytest.fixture
async def clients(instances: tuple[str, str, dict]) -> AsyncIterator[tuple[Any, Any]]:
    a, b, _ = instances
    await _flush_redis()  # each test starts with fresh rate-limit windows
    async with (
        httpx.AsyncClient(base_url=a, timeout=30) as one,
        httpx.AsyncClient(base_url=b, timeout=30) as two,
    ):
        yield one, two


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", data={"username": username, "password": password}
    )


async def bearer(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    response = await login(client, username, password)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_lockout_counts_across_instances(clients: tuple[Any, Any]) -> None:
    one, two = clients
    email = f"lock-{secrets.token_hex(3)}@example.com"
    body = {"email": email, "password": STAFF_PASSWORD, "full_name": "Lock Test"}
    assert (await one.post("/api/v1/auth/register", json=body)).status_code == 201
    statuses = [
        (await login((one, two)[n % 2], email, f"Wrong-{n}!")).status_code for n in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 403]
    assert (await login(one, email, STAFF_PASSWORD)).status_code == 403
    assert (await login(two, email, STAFF_PASSWORD)).status_code == 403


async def test_login_rate_limit_is_shared(clients: tuple[Any, Any]) -> None:
    one, two = clients
    statuses = [
        (
            await login((one, two)[n % 2], f"rl{n}-{secrets.token_hex(2)}@example.com", "x")
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


async def test_logout_on_one_instance_revokes_on_the_other(clients: tuple[Any, Any]) -> None:
    one, two = clients
    headers = await bearer(one, "root@example.com", ADMIN_PASSWORD)
    assert (await two.get("/api/v1/users/me", headers=headers)).status_code == 200
    assert (await two.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await one.get("/api/v1/users/me", headers=headers)).status_code == 401


async def _refused_within(client: httpx.AsyncClient, headers: dict[str, str], path: str) -> float:
    """Seconds until `path` is refused with `headers` (polled every few milliseconds)."""
    started = time.monotonic()
    while (await client.get(path, headers=headers)).status_code not in (401, 403):
        assert time.monotonic() - started < 2, f"{path} still served after 2 s"
        await asyncio.sleep(0.005)
    return time.monotonic() - started


async def _new_staff(one: Any, admin: dict[str, str]) -> tuple[str, int]:
    email = f"staff-{secrets.token_hex(3)}@example.com"
    created = await one.post(
        "/api/v1/users",
        headers=admin,
        json={"email": email, "password": STAFF_PASSWORD, "full_name": "Staff", "role": "staff"},
    )
    assert created.status_code == 201, created.text
    return email, created.json()["id"]


@pytest.mark.parametrize("change", ["revoke", "deactivate", "demote"])
async def test_a_change_on_one_instance_is_refused_on_the_other_within_100_ms(
    clients: tuple[Any, Any], change: str
) -> None:
    """Each instance keeps session checks in memory; a change made on A reaches B through
    Redis before B's next request is answered."""
    one, two = clients
    admin = await bearer(one, "root@example.com", ADMIN_PASSWORD)
    email, user_id = await _new_staff(one, admin)
    victim = await bearer(two, email, STAFF_PASSWORD)
    for _ in range(3):  # B has now checked, and cached, the victim's session
        assert (await two.get("/api/v1/customers", headers=victim)).status_code == 200
    if change == "revoke":
        other = await bearer(one, email, STAFF_PASSWORD)
        listed = (await one.get("/api/v1/auth/sessions", headers=other)).json()
        victim_session = next(s["id"] for s in listed if not s["current"])
        done = await one.delete(f"/api/v1/auth/sessions/{victim_session}", headers=other)
    else:
        body = {"is_active": False} if change == "deactivate" else {"role": "customer"}
        done = await one.patch(f"/api/v1/users/{user_id}", headers=admin, json=body)
    assert done.is_success, done.text
    assert await _refused_within(two, victim, "/api/v1/customers") < 0.1


async def _staff_and_account(one: Any) -> tuple[dict[str, str], list[int]]:
    admin = await bearer(one, "root@example.com", ADMIN_PASSWORD)
    staff_email = f"staff-{secrets.token_hex(3)}@example.com"
    created = await one.post(
        "/api/v1/users",
        headers=admin,
        json={
            "email": staff_email,
            "password": STAFF_PASSWORD,
            "full_name": "Staff Member",
            "role": "staff",
        },
    )
    assert created.status_code == 201, created.text
    staff = await bearer(one, staff_email, STAFF_PASSWORD)
    accounts = []
    for n in range(3):
        customer = await one.post(
            "/api/v1/customers",
            headers=staff,
            json={
                "first_name": "Two",
                "last_name": f"Inst{n}",
                "email": f"c{n}-{secrets.token_hex(3)}@example.com",
                "phone": f"+1650253{secrets.randbelow(10000):04d}",
            },
        )
        assert customer.status_code == 201, customer.text
        account = await one.post(
            "/api/v1/accounts",
            headers=staff,
            json={"customer_id": customer.json()["id"], "type": "checking", "currency": "USD"},
        )
        assert account.status_code == 201, account.text
        accounts.append(account.json()["id"])
    return staff, accounts


async def test_idempotency_and_ledger_hold_across_instances(
    clients: tuple[Any, Any], instances: tuple[str, str, dict], tmp_path: Path
) -> None:
    one, two = clients
    staff, accounts = await _staff_and_account(one)
    run = secrets.token_hex(4)
    key = {"Idempotency-Key": f"two-{run}"}
    deposits = await asyncio.gather(
        *(
            (one, two)[n % 2].post(
                f"/api/v1/accounts/{accounts[0]}/deposits",
                headers=staff | key,
                json={"amount": "500.00"},
            )
            for n in range(20)
        )
    )
    created = [r for r in deposits if r.status_code == 201]
    assert created
    assert {r.json()["id"] for r in created} == {created[0].json()["id"]}
    assert all(r.status_code in (201, 409) for r in deposits)
    balance = (await two.get(f"/api/v1/accounts/{accounts[0]}", headers=staff)).json()
    assert balance["balance"] == "500.00"

    async def move(n: int) -> int:
        source, target = accounts[n % 3], accounts[(n + 1) % 3]
        response = await (one, two)[n % 2].post(
            "/api/v1/transfers",
            headers=staff | {"Idempotency-Key": f"t-{n}-{run}"},
            json={"from_account_id": source, "to_account_id": target, "amount": "7.00"},
        )
        return response.status_code

    statuses = await asyncio.gather(*(move(n) for n in range(60)))
    assert set(statuses) <= {201, 422}
    totals = [
        (await one.get(f"/api/v1/accounts/{a}", headers=staff)).json()["balance"] for a in accounts
    ]
    assert sum(float(t) for t in totals) == 500.00
    assert all(float(t) >= 0 for t in totals)
    _, _, env = instances
    _cli(env, tmp_path, "ledger", "verify")
