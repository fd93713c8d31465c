"""Registration, login, enumeration resistance and lockout."""

import asyncio
import statistics
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.models import AuditEvent, LoginThrottle, User
from tests.identity.helpers import bearer, login, register, tokens
from tests.support import STRONG_PASSWORD


async def test_register_returns_user_without_secrets(client: httpx.AsyncClient) -> None:
    response = await register(client, email="  Alice@Example.COM ", username="Alice_1")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["email"] == "alice@example.com"
    assert body["username"] == "alice_1"
    assert body["role"] == "customer"
    assert body["has_pin"] is False
    for secret in ("password", "password_hash", "pin_hash", "failed", "hash"):
        assert not any(secret in key for key in body), body


@pytest.mark.parametrize("email", ["alice@example.com", "ALICE@example.com", "alice@EXAMPLE.com"])
async def test_duplicate_email_is_409(client: httpx.AsyncClient, email: str) -> None:
    assert (await register(client)).status_code == 201
    response = await register(client, email=email)
    assert response.status_code == 409
    assert response.json()["errors"][0]["loc"] == ["body", "email"]


async def test_duplicate_username_after_canonicalization_is_409(client: httpx.AsyncClient) -> None:
    assert (await register(client, username="bob.smith")).status_code == 201
    response = await register(client, email="other@example.com", username="BOB.SMITH")
    assert response.status_code == 409


@pytest.mark.parametrize("username", ["\u0430lice", "al", "a" * 33, "bob smith", "bob\u200b"])
async def test_unsafe_usernames_are_refused(client: httpx.AsyncClient, username: str) -> None:
    response = await register(client, username=username)
    if username == "bob\u200b":  # zero-width characters vanish in the canonical form
        assert response.status_code == 201
        assert response.json()["username"] == "bob"
    else:
        assert response.status_code == 422


async def test_weak_password_lists_every_failed_rule(client: httpx.AsyncClient) -> None:
    response = await register(client, password="alice")
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/weak-password")
    assert len(body["errors"]) >= 4  # length, upper, digit, special, contains e-mail name
    assert "alice" not in str([e["msg"] for e in body["errors"]]).replace("e-mail", "")


@pytest.mark.parametrize("password", ["Password1!", "P@ssw0rd"])
async def test_common_passwords_are_refused(client: httpx.AsyncClient, password: str) -> None:
    assert (await register(client, password=password)).status_code == 422


async def test_long_passwords_work_and_never_500(client: httpx.AsyncClient) -> None:
    long_password = "Aa1!" + "é" * 60 + "x" * 10  # 134 bytes, 74 characters
    assert len(long_password.encode()) > 72
    assert (await register(client, password=long_password)).status_code == 201
    assert (await login(client, password=long_password)).status_code == 200
    assert (await login(client, password=long_password[:-1])).status_code == 401
    assert (await login(client, password="Z" * 200)).status_code == 401
    too_long = "Aa1!" + "q" * 197
    assert (await register(client, email="b@example.com", password=too_long)).status_code == 422


async def test_role_in_register_body_is_422_and_changes_nothing(
    client: httpx.AsyncClient, db: Database
) -> None:
    response = await register(client, role="admin")
    assert response.status_code == 422
    async with db.session() as session:
        assert (await session.scalars(select(User))).all() == []


async def test_login_form_and_json_issue_tokens(client: httpx.AsyncClient) -> None:
    await register(client, username="alice")
    form = await login(client, username="ALICE")
    assert form.status_code == 200
    body = form.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 30 * 60
    as_json = await client.post(
        "/api/v1/auth/login", json={"username": "alice@example.com", "password": STRONG_PASSWORD}
    )
    assert as_json.status_code == 200
    me = await client.get("/api/v1/users/me", headers=bearer(as_json.json()["access_token"]))
    assert me.status_code == 200
    assert me.json()["email"] == "alice@example.com"


async def test_unknown_user_and_wrong_password_get_the_same_401(
    client: httpx.AsyncClient,
) -> None:
    await register(client)
    wrong = await login(client, password="Wrong-passw0rd!")
    unknown = await login(client, username="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    strip = {"correlation_id"}
    assert {k: v for k, v in wrong.json().items() if k not in strip} == {
        k: v for k, v in unknown.json().items() if k not in strip
    }
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_login_audits_success_and_failure(client: httpx.AsyncClient, db: Database) -> None:
    await register(client)
    await login(client, password="Wrong-passw0rd!")
    await login(client)
    async with db.session() as session:
        actions = (await session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))).all()
    assert actions == ["user.registered", "user.login_failed", "user.login_succeeded"]


async def test_lockout_after_exactly_five_failures(client: httpx.AsyncClient) -> None:
    await register(client)
    statuses = [(await login(client, password=f"Wrong-{n}!")).status_code for n in range(5)]
    assert statuses == [401, 401, 401, 401, 403]
    locked = await login(client)  # the right password, still locked
    assert locked.status_code == 403
    assert locked.json()["type"].endswith("/account-locked")
    assert 0 < int(locked.headers["retry-after"]) <= 30 * 60


async def test_counter_does_not_grow_while_locked(client: httpx.AsyncClient, db: Database) -> None:
    await register(client)
    for n in range(8):
        await login(client, password=f"Wrong-{n}!")
    async with db.session() as session:
        throttle = await session.get(LoginThrottle, "alice@example.com")
    assert throttle is not None
    assert throttle.failed_count == 5


async def test_lock_expires_with_the_clock(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    await register(client)
    for n in range(5):
        await login(client, password=f"Wrong-{n}!")
    clock.advance(minutes=29)
    assert (await login(client)).status_code == 403
    clock.advance(minutes=2)
    assert (await login(client)).status_code == 200


async def test_success_resets_the_count(client: httpx.AsyncClient) -> None:
    await register(client)
    for n in range(4):
        await login(client, password=f"Wrong-{n}!")
    assert (await login(client)).status_code == 200
    for n in range(4):
        assert (await login(client, password=f"Wrong-{n}!")).status_code == 401


async def test_fifty_parallel_failures_lock_after_exactly_five(
    client: httpx.AsyncClient, db: Database
) -> None:
    await register(client)
    responses = await asyncio.gather(*(login(client, password=f"Wrong-{n}!") for n in range(50)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses.count(401) == 4
    assert statuses.count(403) == 46
    async with db.session() as session:
        throttle = await session.get(LoginThrottle, "alice@example.com")
    assert throttle is not None and throttle.failed_count == 5


async def test_unknown_identifiers_lock_too(client: httpx.AsyncClient) -> None:
    statuses = [
        (await login(client, username="ghost@example.com", password="x")).status_code
        for _ in range(6)
    ]
    assert statuses == [401, 401, 401, 401, 403, 403]


@pytest.mark.parametrize(
    "variant",
    [
        "ALICE@example.com",
        "  alice@example.com ",
        "\uff41\uff4c\uff49\uff43\uff45@example.com",
        "alice\u200b@example.com",
    ],
)
async def test_identifier_variants_share_one_counter(
    client: httpx.AsyncClient, variant: str
) -> None:
    await register(client)
    for n in range(4):
        await login(client, password=f"Wrong-{n}!")
    assert (await login(client, username=variant, password="Wrong-x!")).status_code == 403
    assert (await login(client)).status_code == 403


async def test_lockout_does_not_end_existing_sessions(client: httpx.AsyncClient) -> None:
    await register(client)
    pair = await tokens(client)
    for n in range(5):
        await login(client, password=f"Wrong-{n}!")
    assert (
        await client.get("/api/v1/users/me", headers=bearer(pair["access_token"]))
    ).status_code == 200


async def test_other_users_are_not_affected(client: httpx.AsyncClient) -> None:
    await register(client)
    await register(client, email="bob@example.com")
    for n in range(5):
        await login(client, password=f"Wrong-{n}!")
    assert (await login(client, username="bob@example.com")).status_code == 200


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


class TestTiming:
    """Unknown users cost as much as wrong passwords (a dummy hash of the same cost)."""

    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"argon2_time_cost": 2, "argon2_memory_cost": 16384, "lockout_max_failures": 1000}

    async def test_median_times_within_20_percent(
        self, client: httpx.AsyncClient, backend: str
    ) -> None:
        await register(client)

        async def timed(username: str) -> float:
            start = time.perf_counter()
            response = await login(client, username=username, password="Wrong-passw0rd!")
            assert response.status_code == 401
            return time.perf_counter() - start

        known, unknown = [], []
        for n in range(30):
            known.append(await timed("alice@example.com"))
            unknown.append(await timed(f"ghost{n}@example.com"))
        ratio = statistics.median(unknown) / statistics.median(known)
        assert 0.8 <= ratio <= 1.2, (statistics.median(known), statistics.median(unknown))


async def test_email_and_username_share_one_budget(client: httpx.AsyncClient) -> None:
    await register(client, username="ann")
    statuses = []
    for n in range(5):
        name = "alice@example.com" if n % 2 else "ann"
        statuses.append((await login(client, username=name, password=f"Wrong-{n}!")).status_code)
    assert statuses == [401, 401, 401, 401, 403]
    assert (await login(client, username="ann")).status_code == 403
    assert (await login(client)).status_code == 403


async def test_current_password_guesses_count_toward_lockout(client: httpx.AsyncClient) -> None:
    await register(client)
    pair = await tokens(client)
    headers = bearer(pair["access_token"])
    statuses = []
    for n in range(6):
        response = await client.post(
            "/api/v1/auth/password/change",
            headers=headers,
            json={"current_password": f"Wrong-{n}!", "new_password": "N3w-Secret-Phrase!"},
        )
        statuses.append(response.status_code)
    assert statuses == [422, 422, 422, 422, 403, 403]
    right = await client.post(
        "/api/v1/auth/password/change",
        headers=headers,
        json={"current_password": STRONG_PASSWORD, "new_password": "N3w-Secret-Phrase!"},
    )
    assert right.status_code == 403  # locked, even with the right password
    assert (await login(client)).status_code == 403


@pytest.mark.parametrize("field", ["username", "password"])
async def test_nul_characters_never_cause_a_500(client: httpx.AsyncClient, field: str) -> None:
    values = {"username": "alice@example.com", "password": "x"} | {field: "a\x00b"}
    response = await client.post("/api/v1/auth/login", json=values)
    assert response.status_code in (401, 422)
    registered = await register(client, full_name="A\x00B")
    assert registered.status_code < 500


async def test_parallel_logins_respect_the_session_limit(
    client: httpx.AsyncClient, db: Database
) -> None:
    from corebank.models import AuthSession

    await register(client)
    responses = await asyncio.gather(*(login(client) for _ in range(12)))
    assert all(r.status_code == 200 for r in responses)
    async with db.session() as session:
        live = await session.scalar(
            select(func.count()).select_from(AuthSession).where(AuthSession.revoked_at.is_(None))
        )
    assert live == 5
