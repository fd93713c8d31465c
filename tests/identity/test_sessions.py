"""Refresh rotation, reuse detection, session limits, lifetimes and immediate revocation."""

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.identity.tokens import TokenType
from corebank.models import AuditEvent, AuthSession, User
from tests.identity.helpers import bearer, login, register, tokens
from tests.support import STRONG_PASSWORD, audit_rows, login_as


async def refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/api/v1/auth/refresh", json={"refresh_token": token})


async def me(client: httpx.AsyncClient, access: str) -> int:
    return (await client.get("/api/v1/users/me", headers=bearer(access))).status_code


@pytest.fixture
async def pair(client: httpx.AsyncClient) -> dict[str, Any]:
    await register(client)
    return await tokens(client)


async def test_rotation_issues_a_new_pair_and_kills_the_old_refresh(
    client: httpx.AsyncClient, pair: dict[str, Any]
) -> None:
    rotated = await refresh(client, pair["refresh_token"])
    assert rotated.status_code == 200
    new = rotated.json()
    assert new["refresh_token"] != pair["refresh_token"]
    assert await me(client, new["access_token"]) == 200
    again = await refresh(client, pair["refresh_token"])
    assert again.status_code == 401


async def test_reuse_after_grace_revokes_the_family(
    client: httpx.AsyncClient, pair: dict[str, Any], clock: FrozenClock, db: Database
) -> None:
    first = (await refresh(client, pair["refresh_token"])).json()
    clock.advance(seconds=30)
    assert (await refresh(client, pair["refresh_token"])).status_code == 401
    # The thief's replay killed the legitimate holder's tokens too.
    assert (await refresh(client, first["refresh_token"])).status_code == 401
    assert await me(client, first["access_token"]) == 401
    async with db.session() as session:
        actions = (await session.scalars(select(AuditEvent.action))).all()
    assert "user.refresh_reuse_detected" in actions


async def test_reuse_within_grace_is_refused_without_revoking(
    client: httpx.AsyncClient, pair: dict[str, Any], clock: FrozenClock
) -> None:
    first = (await refresh(client, pair["refresh_token"])).json()
    clock.advance(seconds=2)
    assert (await refresh(client, pair["refresh_token"])).status_code == 401
    assert (await refresh(client, first["refresh_token"])).status_code == 200


async def test_parallel_refresh_has_exactly_one_winner(
    client: httpx.AsyncClient, pair: dict[str, Any]
) -> None:
    responses = await asyncio.gather(*(refresh(client, pair["refresh_token"]) for _ in range(10)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [401] * 9
    winner = next(r for r in responses if r.status_code == 200).json()
    assert (await refresh(client, winner["refresh_token"])).status_code == 200


async def test_absolute_lifetime_even_with_daily_use(
    client: httpx.AsyncClient, pair: dict[str, Any], clock: FrozenClock
) -> None:
    current = pair["refresh_token"]
    for _ in range(6):
        clock.advance(days=1)
        response = await refresh(client, current)
        assert response.status_code == 200
        current = response.json()["refresh_token"]
    clock.advance(days=1, seconds=10)
    assert (await refresh(client, current)).status_code == 401


async def test_access_token_is_not_a_refresh_token(
    client: httpx.AsyncClient, pair: dict[str, Any]
) -> None:
    assert (await refresh(client, pair["access_token"])).status_code == 401


async def test_logout_refuses_tokens_at_once(
    client: httpx.AsyncClient, pair: dict[str, Any]
) -> None:
    response = await client.post("/api/v1/auth/logout", headers=bearer(pair["access_token"]))
    assert response.status_code == 204
    assert await me(client, pair["access_token"]) == 401
    assert (await refresh(client, pair["refresh_token"])).status_code == 401


async def test_logout_all_ends_every_session(client: httpx.AsyncClient) -> None:
    await register(client)
    one, two = await tokens(client), await tokens(client)
    response = await client.post("/api/v1/auth/logout-all", headers=bearer(one["access_token"]))
    assert response.status_code == 204
    assert await me(client, one["access_token"]) == 401
    assert await me(client, two["access_token"]) == 401


async def test_list_and_revoke_sessions(client: httpx.AsyncClient) -> None:
    await register(client)
    one = await tokens(client)
    two = await tokens(client)
    listing = await client.get("/api/v1/auth/sessions", headers=bearer(one["access_token"]))
    assert listing.status_code == 200
    sessions = listing.json()
    assert len(sessions) == 2
    assert [s["current"] for s in sessions] == [True, False]
    assert sessions[0]["ip"] == "203.0.113.7"
    other = sessions[1]["id"]
    deleted = await client.delete(
        f"/api/v1/auth/sessions/{other}", headers=bearer(one["access_token"])
    )
    assert deleted.status_code == 204
    assert await me(client, two["access_token"]) == 401
    assert await me(client, one["access_token"]) == 200


async def test_cannot_revoke_someone_elses_session(client: httpx.AsyncClient, app: Any) -> None:
    await register(client)
    mine = await tokens(client)
    _, other_headers = await login_as(app)
    theirs = await client.get("/api/v1/auth/sessions", headers=other_headers)
    their_id = theirs.json()[0]["id"]
    response = await client.delete(
        f"/api/v1/auth/sessions/{their_id}", headers=bearer(mine["access_token"])
    )
    assert response.status_code == 404
    assert (await client.get("/api/v1/users/me", headers=other_headers)).status_code == 200


async def test_oldest_session_is_revoked_beyond_the_limit(client: httpx.AsyncClient) -> None:
    await register(client)
    pairs = [await tokens(client) for _ in range(6)]
    assert await me(client, pairs[0]["access_token"]) == 401
    assert all([await me(client, p["access_token"]) == 200 for p in pairs[1:]])
    listing = await client.get("/api/v1/auth/sessions", headers=bearer(pairs[5]["access_token"]))
    assert len(listing.json()) == 5


async def test_new_login_means_new_session(client: httpx.AsyncClient) -> None:
    await register(client)
    one, two = await tokens(client), await tokens(client)
    assert one["refresh_token"] != two["refresh_token"]


async def test_password_change_ends_other_sessions(client: httpx.AsyncClient) -> None:
    await register(client)
    one, two = await tokens(client), await tokens(client)
    response = await client.post(
        "/api/v1/auth/password/change",
        headers=bearer(one["access_token"]),
        json={"current_password": STRONG_PASSWORD, "new_password": "N3w-Secret-Phrase!"},
    )
    assert response.status_code == 204
    assert await me(client, one["access_token"]) == 200
    assert await me(client, two["access_token"]) == 401
    assert (await refresh(client, two["refresh_token"])).status_code == 401
    assert (await login(client)).status_code == 401
    assert (await login(client, password="N3w-Secret-Phrase!")).status_code == 200


async def test_password_change_needs_the_current_password(client: httpx.AsyncClient) -> None:
    await register(client)
    pair = await tokens(client)
    response = await client.post(
        "/api/v1/auth/password/change",
        headers=bearer(pair["access_token"]),
        json={"current_password": "Wrong-passw0rd!", "new_password": "N3w-Secret-Phrase!"},
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("/invalid-current-password")
    assert (await login(client)).status_code == 200


async def test_refresh_records_the_use_and_carries_the_current_role(
    client: httpx.AsyncClient, pair: dict[str, Any], app: Any, db: Database, clock: FrozenClock
) -> None:
    clock.advance(minutes=10)
    async with db.transaction() as session:
        await session.execute(update(User).values(role="staff"))
    rotated = await refresh(client, pair["refresh_token"])
    assert rotated.status_code == 200
    claims = app.state.container.tokens.verify(
        rotated.json()["access_token"], expected=TokenType.access, now=clock.now()
    )
    assert claims.role == "staff"
    async with db.session() as session:
        seen = (await session.execute(select(AuthSession.id, AuthSession.last_seen_at))).one()
    assert (claims.session_id, seen.last_seen_at) == (seen.id, clock.now())
    assert [row.target_id for row in await audit_rows(db, "user.token_refreshed")] == [str(seen.id)]


@pytest.mark.parametrize(
    "change",
    [{"is_active": False}, {"deleted_at": "now"}],
    ids=["deactivated", "deleted"],
)
async def test_refresh_is_refused_once_the_user_may_not_log_in(
    client: httpx.AsyncClient,
    pair: dict[str, Any],
    db: Database,
    clock: FrozenClock,
    change: dict[str, Any],
) -> None:
    created = clock.now()
    clock.advance(minutes=10)
    values = {k: clock.now() if v == "now" else v for k, v in change.items()}
    async with db.transaction() as session:
        await session.execute(update(User).values(**values))
    assert (await refresh(client, pair["refresh_token"])).status_code == 401
    async with db.session() as session:
        last_seen = await session.scalar(select(AuthSession.last_seen_at))
    assert last_seen == created  # a refused refresh records no use
    assert await audit_rows(db, "user.token_refreshed") == []
