"""Strong customer authentication for money out: a stolen access token alone moves nothing to
another customer; a code approved for 10.00 to account A moves exactly that, once."""

from __future__ import annotations

from typing import Any

import httpx
import pyotp
import pytest

from corebank.core.clock import FrozenClock
from tests.ledger.helpers import API, balances, customer_user, funded_account, key, open_account
from tests.support import audit_rows, login_as


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"sca_required": True}


@pytest.fixture
async def staff(app: Any) -> dict[str, str]:
    return (await login_as(app, "staff"))[1]


@pytest.fixture
async def payer(client: httpx.AsyncClient, app: Any, staff: dict[str, str]) -> dict[str, Any]:
    account, headers, user = await funded_account(client, app, staff, "500.00")
    return {"account": account, "headers": headers, "user": user}


@pytest.fixture
async def payee(client: httpx.AsyncClient, app: Any, staff: dict[str, str]) -> dict[str, Any]:
    account, headers, user = await funded_account(client, app, staff, "")
    return {"account": account, "headers": headers, "user": user}


async def transfer(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    source: int,
    destination: int,
    amount: str,
    **extra: str,
) -> httpx.Response:
    body = {"from_account_id": source, "to_account_id": destination, "amount": amount}
    return await client.post(f"{API}/transfers", json=body, headers={**headers, **key(), **extra})


async def with_totp(client: httpx.AsyncClient, headers: dict[str, str], clock: FrozenClock) -> Any:
    started = await client.post(f"{API}/users/me/mfa/totp", headers=headers)
    totp = pyotp.TOTP(started.json()["secret"])
    confirmed = await client.post(
        f"{API}/users/me/mfa/totp/confirm",
        headers=headers,
        json={"code": totp.at(clock.now()), "password": "Tr0ub4dor&3-horse"},
    )
    assert confirmed.status_code == 200, confirmed.text
    clock.advance(seconds=30)
    return totp


async def authorize(
    client: httpx.AsyncClient, headers: dict[str, str], challenge: dict[str, Any], **factor: str
) -> httpx.Response:
    return await client.post(
        f"{API}/auth/challenges/{challenge['id']}", headers=headers, json=factor
    )


async def authorization(
    client: httpx.AsyncClient, headers: dict[str, str], challenge: dict[str, Any], code: str
) -> dict[str, str]:
    """Complete `challenge` with a TOTP code; the header that carries its authorization."""
    completed = await authorize(client, headers, challenge, code=code)
    assert completed.status_code == 200, completed.text
    return {"X-SCA-Authorization": completed.json()["authorization_code"]}


async def test_a_stolen_token_alone_moves_nothing(
    client: httpx.AsyncClient, db: Any, payer: dict[str, Any], payee: dict[str, Any]
) -> None:
    source, destination = payer["account"]["id"], payee["account"]["id"]
    refused = await transfer(client, payer["headers"], source, destination, "10.00")
    assert refused.status_code == 401
    problem = refused.json()
    assert problem["type"].endswith("/sca-required")
    challenge = problem["challenge"]
    assert challenge["amount"] == "10.00" and challenge["currency"] == "USD"
    assert challenge["source_account_id"] == source
    assert challenge["payee_account_id"] == destination
    assert challenge["status"] == "pending" and challenge["purpose"] == "transfer"
    assert await balances(db, source, destination) == {source: (50000, 0), destination: (0, 0)}
    assert len(await audit_rows(db, "sca.challenge_created")) == 1


async def test_a_code_for_10_to_a_moves_exactly_that_once(
    client: httpx.AsyncClient,
    db: Any,
    app: Any,
    clock: FrozenClock,
    staff: dict[str, str],
    payer: dict[str, Any],
    payee: dict[str, Any],
) -> None:
    headers = payer["headers"]
    source, account_a = payer["account"]["id"], payee["account"]["id"]
    account_b = (await open_account(client, staff, customer_id=(await customer_user(app))[2].id))[
        "id"
    ]
    totp = await with_totp(client, headers, clock)
    challenge = (await transfer(client, headers, source, account_a, "10.00")).json()["challenge"]
    auth = await authorization(client, headers, challenge, totp.at(clock.now()))

    more = await transfer(client, headers, source, account_a, "10.01", **auth)
    other_payee = await transfer(client, headers, source, account_b, "10.00", **auth)
    for refused in (more, other_payee):
        assert refused.status_code == 403
        assert refused.json()["type"].endswith("/sca-authorization-invalid")
    assert await balances(db, source, account_a) == {source: (50000, 0), account_a: (0, 0)}

    paid = await transfer(client, headers, source, account_a, "10.00", **auth)
    assert paid.status_code == 201, paid.text
    again = await transfer(client, headers, source, account_a, "10.00", **auth)
    assert again.status_code == 403
    assert await balances(db, source, account_a) == {source: (49000, 0), account_a: (1000, 0)}
    actions = ["sca.challenge_created", "sca.challenge_completed", "sca.challenge_consumed"]
    assert [len(await audit_rows(db, action)) for action in actions] == [1, 1, 1]


async def test_expired_and_foreign_codes_are_refused(
    client: httpx.AsyncClient,
    app: Any,
    clock: FrozenClock,
    staff: dict[str, str],
    payer: dict[str, Any],
    payee: dict[str, Any],
) -> None:
    headers = payer["headers"]
    source, destination = payer["account"]["id"], payee["account"]["id"]
    totp = await with_totp(client, headers, clock)
    challenge = (await transfer(client, headers, source, destination, "5.00")).json()["challenge"]
    auth = await authorization(client, headers, challenge, totp.at(clock.now()))
    other, other_headers, _ = await funded_account(client, app, staff, "50.00")
    foreign = await transfer(client, other_headers, other["id"], destination, "5.00", **auth)
    assert foreign.status_code == 403
    someone_elses = await client.get(
        f"{API}/auth/challenges/{challenge['id']}", headers=other_headers
    )
    assert someone_elses.status_code == 404
    clock.advance(minutes=6)
    late = await transfer(client, headers, source, destination, "5.00", **auth)
    assert late.status_code == 403


async def test_the_pin_completes_a_challenge_and_wrong_ones_are_audited(
    client: httpx.AsyncClient, db: Any, payer: dict[str, Any], payee: dict[str, Any]
) -> None:
    headers = payer["headers"]
    pin = await client.put(
        f"{API}/users/me/pin",
        headers=headers,
        json={"pin": "4071", "current_password": "Tr0ub4dor&3-horse"},
    )
    assert pin.status_code == 204, pin.text
    destination = payee["account"]["id"]
    url = f"{API}/users/me/trusted-payees"
    asked = await client.post(url, headers=headers, json={"account_id": destination})
    challenge = asked.json()["challenge"]
    wrong = await authorize(client, headers, challenge, pin="1357")
    assert wrong.status_code == 403
    both = await authorize(client, headers, challenge, pin="4071", code="123456")
    assert both.status_code == 422
    right = await authorize(client, headers, challenge, pin="4071")
    assert right.status_code == 200
    auth = {"X-SCA-Authorization": right.json()["authorization_code"]}
    trusted = await client.post(url, headers={**headers, **auth}, json={"account_id": destination})
    assert trusted.status_code == 201
    assert len(await audit_rows(db, "sca.challenge_failed")) == 1
    assert len(await audit_rows(db, "user.pin_failed")) == 1
    completed_twice = await authorize(client, headers, challenge, pin="4071")
    assert completed_twice.status_code == 409


async def test_the_pin_header_is_the_factor(
    client: httpx.AsyncClient, payer: dict[str, Any], payee: dict[str, Any]
) -> None:
    headers = payer["headers"]
    await client.put(
        f"{API}/users/me/pin",
        headers=headers,
        json={"pin": "4071", "current_password": "Tr0ub4dor&3-horse"},
    )
    source, destination = payer["account"]["id"], payee["account"]["id"]
    paid = await transfer(
        client, headers, source, destination, "99.00", **{"X-Transaction-PIN": "4071"}
    )
    assert paid.status_code == 201, paid.text


async def test_no_factor_no_money_to_others(
    client: httpx.AsyncClient, payer: dict[str, Any], payee: dict[str, Any]
) -> None:
    headers = payer["headers"]
    source, destination = payer["account"]["id"], payee["account"]["id"]
    challenge = (await transfer(client, headers, source, destination, "50.00")).json()["challenge"]
    by_code = await authorize(client, headers, challenge, code="123456")
    assert by_code.status_code == 409 and by_code.json()["type"].endswith("/no-second-factor")
    by_pin = await authorize(client, headers, challenge, pin="4071")
    assert by_pin.status_code == 403


async def test_own_accounts_and_staff_are_exempt(
    client: httpx.AsyncClient,
    app: Any,
    staff: dict[str, str],
    payer: dict[str, Any],
    payee: dict[str, Any],
) -> None:
    user = payer["user"]
    async with app.state.container.db.session() as session:
        from sqlalchemy import select

        from corebank.models import Customer

        customer_id = await session.scalar(select(Customer.id).where(Customer.user_id == user.id))
    savings = await open_account(client, staff, customer_id=customer_id)
    source = payer["account"]["id"]
    own = await transfer(client, payer["headers"], source, savings["id"], "400.00")
    assert own.status_code == 201, own.text
    by_staff = await transfer(client, staff, source, payee["account"]["id"], "50.00")
    assert by_staff.status_code == 201


async def test_low_value_exemption_counts_and_sums(
    client: httpx.AsyncClient, clock: FrozenClock, payer: dict[str, Any], payee: dict[str, Any]
) -> None:
    headers = payer["headers"]
    source, destination = payer["account"]["id"], payee["account"]["id"]
    never = await transfer(client, headers, source, destination, "0.01")
    assert never.status_code == 401  # no strong authentication yet: no low-value budget
    totp = await with_totp(client, headers, clock)
    challenge = never.json()["challenge"]
    assert (await authorize(client, headers, challenge, code=totp.at(clock.now()))).is_success
    clock.advance(seconds=30)
    too_much = await transfer(client, headers, source, destination, "30.01")
    assert too_much.status_code == 401
    statuses = [
        (await transfer(client, headers, source, destination, amount)).status_code
        for amount in ("30.00", "30.00", "30.00", "10.00", "0.01")
    ]
    assert statuses == [201, 201, 201, 201, 401]  # 100.00 reached, the next one needs SCA
    challenge = (await transfer(client, headers, source, destination, "0.01")).json()["challenge"]
    assert (await authorize(client, headers, challenge, code=totp.at(clock.now()))).is_success
    counted = [
        (await transfer(client, headers, source, destination, "1.00")).status_code for _ in range(6)
    ]
    assert counted == [201, 201, 201, 201, 201, 401]  # at most 5 transfers


async def test_trusted_payees_need_a_factor_to_add_then_skip_it(
    client: httpx.AsyncClient,
    db: Any,
    clock: FrozenClock,
    payer: dict[str, Any],
    payee: dict[str, Any],
) -> None:
    headers = payer["headers"]
    source, destination = payer["account"]["id"], payee["account"]["id"]
    totp = await with_totp(client, headers, clock)
    url = f"{API}/users/me/trusted-payees"
    asked = await client.post(url, headers=headers, json={"account_id": destination})
    assert asked.status_code == 401
    challenge = asked.json()["challenge"]
    assert challenge["purpose"] == "trusted_payee" and challenge["amount"] is None
    auth = await authorization(client, headers, challenge, totp.at(clock.now()))
    wrong_payee = await client.post(url, headers={**headers, **auth}, json={"account_id": source})
    assert wrong_payee.status_code == 422  # their own account cannot be a payee
    trusted = await client.post(url, headers={**headers, **auth}, json={"account_id": destination})
    assert trusted.status_code == 201, trusted.text
    assert (await transfer(client, headers, source, destination, "250.00")).status_code == 201
    listed = (await client.get(url, headers=headers)).json()
    assert [p["account_id"] for p in listed] == [destination]
    removed = await client.delete(f"{url}/{listed[0]['id']}", headers=headers)
    assert removed.status_code == 204
    assert (await transfer(client, headers, source, destination, "50.00")).status_code == 401
    assert await balances(db, destination) == {destination: (25000, 0)}


async def test_a_customer_learns_only_cannot_receive(
    client: httpx.AsyncClient,
    app: Any,
    staff: dict[str, str],
    payer: dict[str, Any],
    payee: dict[str, Any],
) -> None:
    headers = payer["headers"]
    source, destination = payer["account"]["id"], payee["account"]["id"]
    euro, _, _ = await funded_account(client, app, staff, "", currency="EUR")
    frozen = await client.patch(
        f"{API}/accounts/{destination}", headers=staff, json={"status": "frozen"}
    )
    assert frozen.status_code == 200
    closed, _, _ = await funded_account(client, app, staff, "")
    assert (await client.post(f"{API}/accounts/{closed['id']}/close", headers=staff)).is_success
    answers = [
        await transfer(client, headers, source, target, "1.00")
        for target in (euro["id"], destination, closed["id"], 10**9)
    ]
    bodies = {(a.status_code, a.json()["type"], a.json()["detail"]) for a in answers}
    assert len(bodies) == 1
    status, problem_type, detail = bodies.pop()
    assert status == 422 and problem_type.endswith("/cannot-receive-transfer")
    for word in ("EUR", "closed", "frozen", str(euro["id"]), str(closed["id"])):
        assert word not in detail


async def test_the_retry_keeps_its_idempotency_key(
    client: httpx.AsyncClient,
    db: Any,
    clock: FrozenClock,
    payer: dict[str, Any],
    payee: dict[str, Any],
) -> None:
    headers = payer["headers"]
    source, destination = payer["account"]["id"], payee["account"]["id"]
    totp = await with_totp(client, headers, clock)
    body = {"from_account_id": source, "to_account_id": destination, "amount": "40.00"}
    same_key = {**headers, "Idempotency-Key": "pay-rent-december"}
    first = await client.post(f"{API}/transfers", json=body, headers=same_key)
    assert first.status_code == 401  # not stored: the key stays free for the retry
    auth = await authorization(client, headers, first.json()["challenge"], totp.at(clock.now()))
    paid = await client.post(f"{API}/transfers", json=body, headers={**same_key, **auth})
    assert paid.status_code == 201
    replayed = await client.post(f"{API}/transfers", json=body, headers={**same_key, **auth})
    assert replayed.status_code == 201 and replayed.headers["Idempotency-Replayed"] == "true"
    assert replayed.json()["id"] == paid.json()["id"]
    assert await balances(db, source, destination) == {source: (46000, 0), destination: (4000, 0)}


async def test_a_customer_without_a_login_can_be_a_trusted_payee(
    client: httpx.AsyncClient,
    app: Any,
    clock: FrozenClock,
    staff: dict[str, str],
    payer: dict[str, Any],
) -> None:
    from tests.ledger.helpers import make_customer

    offline = await make_customer(app)  # a customer record with no user
    account = await open_account(client, staff, customer_id=offline.id)
    headers = payer["headers"]
    totp = await with_totp(client, headers, clock)
    url = f"{API}/users/me/trusted-payees"
    asked = await client.post(url, headers=headers, json={"account_id": account["id"]})
    assert asked.status_code == 401  # a challenge, not "cannot receive"
    auth = await authorization(client, headers, asked.json()["challenge"], totp.at(clock.now()))
    trusted = await client.post(
        url, headers={**headers, **auth}, json={"account_id": account["id"]}
    )
    assert trusted.status_code == 201
