"""The transaction PIN: rules, hashing, wrong PINs blocking use."""

import asyncio
from typing import Any

import httpx
import pytest

from corebank.core.clock import FrozenClock
from corebank.core.errors import Forbidden
from corebank.identity.pin import verify_transaction_pin
from tests.support import STRONG_PASSWORD, audit_rows, login_as


async def set_pin(client: httpx.AsyncClient, headers: dict[str, str], pin: str) -> httpx.Response:
    return await client.put(
        "/api/v1/users/me/pin",
        headers=headers,
        json={"pin": pin, "current_password": STRONG_PASSWORD},
    )


@pytest.mark.parametrize("pin", ["123", "1234567", "12a4", "0000", "1234", "9876"])
async def test_weak_pins_are_refused(client: httpx.AsyncClient, app: Any, pin: str) -> None:
    _, headers = await login_as(app)
    response = await set_pin(client, headers, pin)
    assert response.status_code == 422
    assert "input" not in response.text


async def test_pin_needs_the_password(client: httpx.AsyncClient, app: Any) -> None:
    _, headers = await login_as(app)
    response = await client.put(
        "/api/v1/users/me/pin",
        headers=headers,
        json={"pin": "4821", "current_password": "Wrong-passw0rd!"},
    )
    assert response.status_code == 422
    assert (await client.get("/api/v1/users/me", headers=headers)).json()["has_pin"] is False


async def test_verify_and_block_after_five_wrong(
    client: httpx.AsyncClient, app: Any, clock: FrozenClock
) -> None:
    user, headers = await login_as(app)
    assert (await set_pin(client, headers, "4821")).status_code == 204
    assert (await client.get("/api/v1/users/me", headers=headers)).json()["has_pin"] is True

    async def check(pin: str | None) -> None:
        await verify_transaction_pin(
            app.state.container.auth,
            user_id=user.id,
            pin=pin,
            now=clock.now(),
            required=False,
        )

    await check("4821")
    with pytest.raises(Forbidden) as missing:
        await check(None)
    assert missing.value.problem_type == "transaction-pin-required"
    for _ in range(4):
        with pytest.raises(Forbidden) as wrong:
            await check("1357")
        assert wrong.value.problem_type == "invalid-transaction-pin"
    with pytest.raises(Forbidden) as blocked:
        await check("1357")
    assert blocked.value.problem_type == "transaction-pin-blocked"
    with pytest.raises(Forbidden):
        await check("4821")  # the right PIN is blocked too
    clock.advance(minutes=31)
    await check("4821")


async def test_required_pin_without_one_set(app: Any) -> None:
    user, _ = await login_as(app)
    with pytest.raises(Forbidden) as refused:
        await verify_transaction_pin(
            app.state.container.auth,
            user_id=user.id,
            pin=None,
            now=app.state.container.clock.now(),
            required=True,
        )
    assert refused.value.problem_type == "transaction-pin-required"


async def user_with_pin(app: Any, pin: str = "4821") -> Any:
    """A user whose transaction PIN is `pin`, set through the API."""
    user, headers = await login_as(app)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        assert (await set_pin(client, headers, pin)).status_code == 204
    return user


async def burst(app: Any, user: Any, guesses: list[str]) -> list[str]:
    """Every guess at once; each one's outcome ("ok" or the problem type)."""
    now = app.state.container.clock.now()

    async def attempt(pin: str) -> str:
        try:
            await verify_transaction_pin(
                app.state.container.auth, user_id=user.id, pin=pin, now=now, required=False
            )
        except Forbidden as refused:
            return refused.problem_type
        return "ok"

    return await asyncio.gather(*(attempt(pin) for pin in guesses))


async def test_parallel_guesses_get_at_most_five_evaluated(app: Any) -> None:
    user = await user_with_pin(app)
    outcomes = await burst(app, user, [f"{1000 + n}" for n in range(19)] + ["4821"])
    assert outcomes.count("invalid-transaction-pin") <= 4
    wrong_evaluated = outcomes.count("invalid-transaction-pin")
    assert outcomes.count("ok") + wrong_evaluated <= 5
    assert "transaction-pin-blocked" in outcomes
    assert await burst(app, user, ["4821"]) == ["transaction-pin-blocked"]  # still blocked


async def test_every_attempt_of_a_parallel_burst_leaves_an_audit_row(app: Any) -> None:
    user = await user_with_pin(app)
    outcomes = await burst(app, user, [f"{1000 + n}" for n in range(20)])
    assert "ok" not in outcomes
    rows = {
        action: await audit_rows(app.state.container.db, action)
        for action in ("user.pin_failed", "user.pin_refused", "user.pin_blocked")
    }
    assert len(rows["user.pin_blocked"]) == 1
    assert 1 <= len(rows["user.pin_failed"]) <= 5  # evaluated wrong guesses, each one
    assert len(rows["user.pin_failed"]) + len(rows["user.pin_refused"]) == 20
    assert all(row.target_id == str(user.id) for found in rows.values() for row in found)
