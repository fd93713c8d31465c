"""A second factor (TOTP): enrolment, login with a code or a recovery code, replay, drift,
lockout (also under parallel bursts), disabling, the staff required action and a reset."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pyotp
import pytest
from sqlalchemy import select

from corebank.core.clock import FrozenClock
from corebank.models import TotpFactor
from tests.identity.helpers import bearer, login, register
from tests.support import STRONG_PASSWORD, audit_rows, auth_headers, create_user

MFA = "/api/v1/users/me/mfa"


async def enrol(client: httpx.AsyncClient, headers: dict[str, str], clock: FrozenClock) -> Any:
    """Enrol and confirm TOTP for the caller; (the TOTP, the recovery codes)."""
    started = await client.post(f"{MFA}/totp", headers=headers)
    assert started.status_code == 201, started.text
    totp = pyotp.TOTP(started.json()["secret"])
    confirmed = await client.post(
        f"{MFA}/totp/confirm",
        headers=headers,
        json={"code": totp.at(clock.now()), "password": STRONG_PASSWORD},
    )
    assert confirmed.status_code == 200, confirmed.text
    clock.advance(seconds=30)  # the confirming code's step is spent
    return totp, confirmed.json()["recovery_codes"]


async def enrolled_user(client: httpx.AsyncClient, clock: FrozenClock) -> Any:
    assert (await register(client)).status_code == 201
    first = (await login(client)).json()
    return await enrol(client, bearer(first["access_token"]), clock)


async def ticket(client: httpx.AsyncClient) -> str:
    answer = await login(client)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["mfa_required"] is True and "access_token" not in body
    return body["mfa_ticket"]


async def second_step(client: httpx.AsyncClient, mfa_ticket: str, **code: str) -> httpx.Response:
    return await client.post("/api/v1/auth/login/mfa", json={"mfa_ticket": mfa_ticket, **code})


async def test_enrolment_shows_secret_uri_and_qr_then_recovery_codes(
    client: httpx.AsyncClient, clock: FrozenClock, app: Any
) -> None:
    assert (await register(client)).status_code == 201
    headers = bearer((await login(client)).json()["access_token"])
    started = await client.post(f"{MFA}/totp", headers=headers)
    body = started.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/corebank:alice%40example.com?secret=")
    assert (
        body["qr_svg"].startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in body["qr_svg"]
    )
    status = (await client.get(MFA, headers=headers)).json()
    assert status == {"enabled": False, "recovery_codes_left": 0, "required": False}
    confirm = f"{MFA}/totp/confirm"
    attempt = {"code": "000000", "password": STRONG_PASSWORD}
    wrong = await client.post(confirm, headers=headers, json=attempt)
    assert wrong.status_code == 422 and wrong.json()["type"].endswith("invalid-mfa-code")
    code = pyotp.TOTP(body["secret"]).at(clock.now())
    confirmed = await client.post(confirm, headers=headers, json={**attempt, "code": code})
    codes = confirmed.json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert (await client.get(MFA, headers=headers)).json()["recovery_codes_left"] == 10
    again = await client.post(f"{MFA}/totp", headers=headers)
    assert again.status_code == 409
    assert [r.action for r in await audit_rows(app.state.container.db, "user.mfa_enabled")]


async def test_secret_is_encrypted_at_rest(
    client: httpx.AsyncClient, app: Any, clock: FrozenClock
) -> None:
    assert (await register(client)).status_code == 201
    headers = bearer((await login(client)).json()["access_token"])
    secret = (await client.post(f"{MFA}/totp", headers=headers)).json()["secret"]
    async with app.state.container.db.session() as session:
        factor = (await session.scalars(select(TotpFactor))).one()
    assert secret not in factor.secret_ciphertext
    assert factor.key_id == app.state.container.auth.secrets.current_id
    assert app.state.container.auth.secrets.open(factor.key_id, factor.secret_ciphertext) == secret


async def test_login_needs_the_code_after_the_password(
    client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    totp, _ = await enrolled_user(client, clock)
    mfa_ticket = await ticket(client)
    refused = await second_step(client, mfa_ticket, code="123456")
    assert refused.status_code == 401
    assert refused.json()["type"].endswith("invalid-mfa-code")
    tokens = await second_step(client, mfa_ticket, code=totp.at(clock.now()))
    assert tokens.status_code == 200, tokens.text
    me = await client.get("/api/v1/users/me", headers=bearer(tokens.json()["access_token"]))
    assert me.json()["email"] == "alice@example.com"
    clock.advance(seconds=30)
    reused = await second_step(client, mfa_ticket, code=totp.at(clock.now()))
    assert reused.status_code == 401 and reused.json()["type"].endswith("invalid-mfa-ticket")


async def test_a_code_is_accepted_once_and_one_step_of_drift(
    client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    totp, _ = await enrolled_user(client, clock)
    code = totp.at(clock.now())
    assert (await second_step(client, await ticket(client), code=code)).status_code == 200
    replay = await second_step(client, await ticket(client), code=code)
    assert replay.status_code == 401
    ahead = totp.at(clock.now() + timedelta(seconds=30))
    assert (await second_step(client, await ticket(client), code=ahead)).status_code == 200
    clock.advance(seconds=90)
    behind = totp.at(clock.now() - timedelta(seconds=30))
    assert (await second_step(client, await ticket(client), code=behind)).status_code == 200
    far = totp.at(clock.now() + timedelta(seconds=90))
    assert (await second_step(client, await ticket(client), code=far)).status_code == 401


async def test_tickets_expire(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    totp, _ = await enrolled_user(client, clock)
    mfa_ticket = await ticket(client)
    clock.advance(minutes=6)
    late = await second_step(client, mfa_ticket, code=totp.at(clock.now()))
    assert late.status_code == 401 and late.json()["type"].endswith("invalid-mfa-ticket")


async def test_recovery_code_logs_in_once(client: httpx.AsyncClient, clock: FrozenClock) -> None:
    _, codes = await enrolled_user(client, clock)
    used = await second_step(client, await ticket(client), recovery_code=codes[0].lower())
    assert used.status_code == 200
    again = await second_step(client, await ticket(client), recovery_code=codes[0])
    assert again.status_code == 401
    headers = bearer(used.json()["access_token"])
    assert (await client.get(MFA, headers=headers)).json()["recovery_codes_left"] == 9


async def test_wrong_codes_lock_code_use(
    client: httpx.AsyncClient, clock: FrozenClock, app: Any
) -> None:
    totp, _ = await enrolled_user(client, clock)
    statuses = [
        (await second_step(client, await ticket(client), code="000000")).status_code
        for _ in range(5)
    ]
    assert statuses == [401, 401, 401, 401, 403]
    locked = await second_step(client, await ticket(client), code=totp.at(clock.now()))
    assert locked.status_code == 403 and locked.json()["type"].endswith("mfa-locked")
    assert int(locked.headers["Retry-After"]) > 0
    clock.advance(minutes=31)
    assert (await second_step(client, await ticket(client), code=totp.at(clock.now()))).is_success
    db = app.state.container.db
    assert len(await audit_rows(db, "user.mfa_failed")) == 5
    assert len(await audit_rows(db, "user.mfa_locked")) == 1
    assert len(await audit_rows(db, "user.mfa_refused")) == 1


async def test_every_attempt_of_a_parallel_burst_is_counted_and_audited(
    client: httpx.AsyncClient, clock: FrozenClock, app: Any
) -> None:
    await enrolled_user(client, clock)
    tickets = [await ticket(client) for _ in range(12)]
    answers = await asyncio.gather(*(second_step(client, t, code="000000") for t in tickets))
    statuses = [a.status_code for a in answers]
    assert statuses.count(401) == 4 and statuses.count(403) == 8
    db = app.state.container.db
    failed = await audit_rows(db, "user.mfa_failed")
    refused = await audit_rows(db, "user.mfa_refused")
    assert len(failed) == 5 and len(refused) == 7
    assert len(await audit_rows(db, "user.mfa_locked")) == 1


async def test_disable_needs_password_and_code(
    client: httpx.AsyncClient, clock: FrozenClock
) -> None:
    totp, _ = await enrolled_user(client, clock)
    tokens = await second_step(client, await ticket(client), code=totp.at(clock.now()))
    headers = bearer(tokens.json()["access_token"])
    clock.advance(seconds=30)
    wrong_password = await client.post(
        f"{MFA}/totp/disable",
        headers=headers,
        json={"password": "Wrong-Pass-123!", "code": totp.at(clock.now())},
    )
    assert wrong_password.status_code == 422
    wrong_code = await client.post(
        f"{MFA}/totp/disable", headers=headers, json={"password": STRONG_PASSWORD, "code": "000000"}
    )
    assert wrong_code.status_code == 422
    disabled = await client.post(
        f"{MFA}/totp/disable",
        headers=headers,
        json={"password": STRONG_PASSWORD, "code": totp.at(clock.now())},
    )
    assert disabled.status_code == 204
    assert "access_token" in (await login(client)).json()


class TestStaffMustEnrol:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"require_mfa_for_staff": True, "health_details_public": False}

    async def test_staff_without_a_factor_may_only_enrol(
        self, client: httpx.AsyncClient, app: Any, clock: FrozenClock
    ) -> None:
        await create_user(app, role="staff", email="teller@example.com")
        first = await login(client, "teller@example.com")
        headers = bearer(first.json()["access_token"])
        refused = await client.get("/api/v1/customers", headers=headers)
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("mfa-enrolment-required")
        assert (await client.get(MFA, headers=headers)).json()["required"] is True
        await enrol(client, headers, clock)
        assert (await client.get("/api/v1/customers", headers=headers)).status_code == 200
        assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204

    async def test_disabling_the_factor_limits_the_sessions_again(
        self, client: httpx.AsyncClient, app: Any, clock: FrozenClock
    ) -> None:
        await create_user(app, role="staff", email="teller@example.com")
        headers = bearer((await login(client, "teller@example.com")).json()["access_token"])
        totp = (await enrol(client, headers, clock))[0]
        disabled = await client.post(
            f"{MFA}/totp/disable",
            headers=headers,
            json={"password": STRONG_PASSWORD, "code": totp.at(clock.now())},
        )
        assert disabled.status_code == 204
        refused = await client.get("/api/v1/customers", headers=headers)
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("mfa-enrolment-required")

    async def test_an_enrol_only_session_gets_no_dependency_report(
        self, client: httpx.AsyncClient, app: Any, clock: FrozenClock
    ) -> None:
        await create_user(app, role="staff", email="teller@example.com")
        headers = bearer((await login(client, "teller@example.com")).json()["access_token"])
        assert (await client.get("/health/detailed", headers=headers)).status_code == 403
        await enrol(client, headers, clock)
        assert (await client.get("/health/detailed", headers=headers)).status_code == 200

    async def test_customers_are_not_asked(self, client: httpx.AsyncClient) -> None:
        assert (await register(client)).status_code == 201
        headers = bearer((await login(client)).json()["access_token"])
        assert (await client.get("/api/v1/accounts", headers=headers)).status_code == 200


async def test_reset_by_staff_ends_sessions_and_is_audited(
    client: httpx.AsyncClient, app: Any, clock: FrozenClock
) -> None:
    totp, _ = await enrolled_user(client, clock)
    tokens = await second_step(client, await ticket(client), code=totp.at(clock.now()))
    user_headers = bearer(tokens.json()["access_token"])
    user_id = (await client.get("/api/v1/users/me", headers=user_headers)).json()["id"]
    staff = await create_user(app, role="staff")
    staff_headers = await auth_headers(app, staff)
    reset = await client.post(f"/api/v1/users/{user_id}/mfa/reset", headers=staff_headers)
    assert reset.status_code == 204
    assert (await client.get("/api/v1/users/me", headers=user_headers)).status_code == 401
    assert "access_token" in (await login(client)).json()
    rows = await audit_rows(app.state.container.db, "user.mfa_reset")
    assert [(r.actor_id, r.target_id) for r in rows] == [(staff.id, str(user_id))]
    other_staff = await create_user(app, role="staff")
    refused = await client.post(f"/api/v1/users/{other_staff.id}/mfa/reset", headers=staff_headers)
    assert refused.status_code == 403
    customer_headers = await auth_headers(app, await create_user(app))
    forbidden = await client.post(f"/api/v1/users/{user_id}/mfa/reset", headers=customer_headers)
    assert forbidden.status_code == 403


def test_keys_rotate_old_secrets_still_open() -> None:
    from cryptography.fernet import Fernet

    from corebank.config import parse_mfa_keys as parse_keys
    from corebank.identity.secretbox import SecretBox

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed_id, sealed = SecretBox(parse_keys(f"2026a:{old}")).seal("JBSWY3DPEHPK3PXP")
    rotated = SecretBox(parse_keys(f"2026b:{new}, 2026a:{old}"))
    assert rotated.current_id == "2026b" and sealed_id == "2026a"
    assert rotated.open(sealed_id, sealed) == "JBSWY3DPEHPK3PXP"
    assert not rotated.is_current(sealed_id)
    with pytest.raises(ValueError, match="no MFA key"):
        SecretBox(parse_keys(new)).open("2026a", sealed)
    with pytest.raises(ValueError, match="does not match"):
        rotated.open("2026b", sealed)
    with pytest.raises(ValueError):
        parse_keys("k1:not-a-fernet-key")


async def test_a_secret_under_an_old_key_is_resealed_on_use(
    client: httpx.AsyncClient, app: Any, clock: FrozenClock
) -> None:
    from cryptography.fernet import Fernet

    from corebank.identity.secretbox import SecretBox

    totp, _ = await enrolled_user(client, clock)
    auth = app.state.container.auth
    old_id = auth.secrets.current_id
    rotated = SecretBox([("next", Fernet.generate_key()), *auth.secrets.keys()])
    object.__setattr__(auth, "secrets", rotated)
    assert (await second_step(client, await ticket(client), code=totp.at(clock.now()))).is_success
    async with app.state.container.db.session() as session:
        factor = (await session.scalars(select(TotpFactor))).one()
    assert old_id != "next" and factor.key_id == "next"


class TestWithRedis:
    """The same login with a second factor where rate limits and caches live in Redis (as in
    production with several instances)."""

    @pytest.fixture
    def settings_overrides(self, redis_url: str) -> dict[str, Any]:
        return {"redis_url": redis_url, "rate_limit_enabled": True, "rate_limit_login": "20/minute"}

    async def test_login_with_a_code_and_its_rate_limit(
        self, client: httpx.AsyncClient, clock: FrozenClock, app: Any
    ) -> None:
        container = app.state.container
        try:
            assert container.rate_limiter.backend == "redis"
            totp, codes = await enrolled_user(client, clock)
            tokens = await second_step(client, await ticket(client), code=totp.at(clock.now()))
            assert tokens.status_code == 200
            assert tokens.headers["X-RateLimit-Limit"] == "20"
            replay = await second_step(client, await ticket(client), code=totp.at(clock.now()))
            assert replay.status_code == 401
            recovered = await second_step(client, await ticket(client), recovery_code=codes[1])
            assert recovered.is_success
        finally:
            await container.rate_limiter.close()
            await container.cache.close()


async def test_an_access_token_alone_cannot_add_a_factor(
    client: httpx.AsyncClient, clock: FrozenClock, app: Any
) -> None:
    """A thief with the token would otherwise add their own factor and pass SCA with it."""
    assert (await register(client)).status_code == 201
    headers = bearer((await login(client)).json()["access_token"])
    started = await client.post(f"{MFA}/totp", headers=headers)
    code = pyotp.TOTP(started.json()["secret"]).at(clock.now())
    no_password = await client.post(f"{MFA}/totp/confirm", headers=headers, json={"code": code})
    assert no_password.status_code == 422
    guessed = await client.post(
        f"{MFA}/totp/confirm", headers=headers, json={"code": code, "password": "Guess-1234!"}
    )
    assert guessed.status_code == 422
    assert guessed.json()["type"].endswith("/invalid-current-password")
    assert (await client.get(MFA, headers=headers)).json()["enabled"] is False
    assert len(await audit_rows(app.state.container.db, "user.login_failed")) == 1


async def test_codes_in_other_digits_are_wrong_codes_not_errors(
    client: httpx.AsyncClient, clock: FrozenClock, app: Any
) -> None:
    totp, _ = await enrolled_user(client, clock)
    tokens = await second_step(client, await ticket(client), code=totp.at(clock.now()))
    headers = bearer(tokens.json()["access_token"])
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in "123456")
    refused = await client.post(
        f"{MFA}/totp/disable",
        headers=headers,
        json={"password": STRONG_PASSWORD, "code": arabic_indic},
    )
    assert refused.status_code == 422
    assert len(await audit_rows(app.state.container.db, "user.mfa_failed")) == 1
