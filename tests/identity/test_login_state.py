"""A login's reads and writes around the password check: the lock read before it covers
every identifier of the user, a lock set during it wins, and an outdated hash is upgraded."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher
from sqlalchemy import func, select, update

from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.models import AuthSession, LoginThrottle, User
from tests.identity.helpers import login, register
from tests.support import STRONG_PASSWORD, audit_rows


@pytest.mark.parametrize(
    "old_hasher",
    [BcryptHasher(rounds=4), Argon2Hasher(time_cost=2, memory_cost=2048, parallelism=1)],
    ids=["bcrypt", "argon2-other-cost"],
)
async def test_a_login_upgrades_an_outdated_hash(
    client: httpx.AsyncClient, db: Database, old_hasher: Any
) -> None:
    """A hash from an older system or under other Argon2 parameters verifies, and that login
    stores the password's hash under the current parameters (not a password change)."""
    await register(client)
    async with db.transaction() as session:
        await session.execute(update(User).values(password_hash=old_hasher.hash(STRONG_PASSWORD)))
    async with db.session() as session:
        before = (await session.execute(select(User.password_hash, User.password_changed_at))).one()
    assert (await login(client)).status_code == 200
    async with db.session() as session:
        after = (await session.execute(select(User.password_hash, User.password_changed_at))).one()
    assert after.password_hash != before.password_hash
    assert after.password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert after.password_changed_at == before.password_changed_at
    assert (await login(client)).status_code == 200
    assert (await login(client, password="Wrong-passw0rd!")).status_code == 401


async def test_a_lock_set_while_the_password_is_checked_wins(
    client: httpx.AsyncClient, app: Any, db: Database, clock: FrozenClock, monkeypatch: Any
) -> None:
    """Parallel failures that lock the identifier during a good password's check: 403, the
    lock and its count stay, and no session is opened."""
    await register(client)
    hasher = app.state.container.auth.hasher
    verify = hasher.verify
    until = clock.now() + timedelta(minutes=30)

    async def verify_while_others_fail(secret: str, stored: str | None) -> Any:
        checked = await verify(secret, stored)
        async with db.transaction() as session:
            session.add(
                LoginThrottle(
                    identifier="alice@example.com",
                    failed_count=5,
                    locked_until=until,
                    last_failed_at=clock.now(),
                )
            )
        return checked

    monkeypatch.setattr(hasher, "verify", verify_while_others_fail)
    response = await login(client)
    assert response.status_code == 403
    assert response.json()["type"].endswith("/account-locked")
    async with db.session() as session:
        throttle = await session.get(LoginThrottle, "alice@example.com")
        sessions = await session.scalar(select(func.count()).select_from(AuthSession))
    assert throttle is not None
    assert (throttle.failed_count, throttle.locked_until) == (5, until)
    assert sessions == 0
    assert await audit_rows(db, "user.login_succeeded") == []


async def test_a_login_by_username_is_refused_while_the_email_is_locked(
    client: httpx.AsyncClient, db: Database, clock: FrozenClock
) -> None:
    """The lock read before the password check covers the user's other identifiers."""
    await register(client, username="ann")
    async with db.transaction() as session:
        session.add(
            LoginThrottle(
                identifier="alice@example.com",
                failed_count=5,
                locked_until=clock.now() + timedelta(minutes=10),
                last_failed_at=clock.now(),
            )
        )
    refused = await login(client, username="ann")
    assert refused.status_code == 403
    assert 0 < int(refused.headers["retry-after"]) <= 10 * 60
    clock.advance(minutes=11)
    assert (await login(client, username="ann")).status_code == 200
    async with db.session() as session:
        throttle = await session.get(LoginThrottle, "alice@example.com")
    assert throttle is not None and (throttle.failed_count, throttle.locked_until) == (0, None)


@pytest.mark.parametrize("change", ["password", "deactivated", "promoted"])
async def test_what_changes_while_the_password_is_checked_is_seen_under_the_lock(
    client: httpx.AsyncClient, app: Any, db: Database, monkeypatch: Any, change: str
) -> None:
    """A password changed (by its owner, or a reset) while the old one was being checked
    refuses the login and keeps the new hash (an outdated-hash upgrade must not write the old
    password back); a deactivation refuses it; a promotion opens the session with the new
    role (and so under the new role's rules)."""
    await register(client)
    hasher = app.state.container.auth.hasher
    async with db.transaction() as session:  # an outdated hash: the login would upgrade it
        await session.execute(
            update(User).values(password_hash=BcryptHasher(rounds=4).hash(STRONG_PASSWORD))
        )
    verify = hasher.verify
    new_hash = await hasher.hash("An0ther-Str0ng-Pass!")
    values: dict[str, Any] = {
        "password": {"password_hash": new_hash},
        "deactivated": {"is_active": False},
        "promoted": {"role": "staff"},
    }[change]

    async def verify_while_it_changes(secret: str, stored: str | None) -> Any:
        checked = await verify(secret, stored)
        async with db.transaction() as session:
            await session.execute(update(User).values(**values))
        return checked

    monkeypatch.setattr(hasher, "verify", verify_while_it_changes)
    response = await login(client)
    async with db.session() as session:
        stored = await session.scalar(select(User.password_hash))
        sessions = await session.scalar(select(func.count()).select_from(AuthSession))
    if change == "promoted":
        assert response.status_code == 200, response.text
        me = await client.get(
            "/api/v1/users/me",
            headers={"Authorization": f"Bearer {response.json()['access_token']}"},
        )
        assert me.json()["role"] == "staff"
        return
    assert response.status_code == 401, response.text
    assert sessions == 0
    if change == "password":
        assert stored == new_hash
