"""Profiles, roles, administration, mass assignment and IDOR."""

from typing import Any

import httpx
from sqlalchemy import select

from corebank.core.db import Database
from corebank.models import AuditEvent, User
from tests.identity.helpers import bearer, login, register, tokens
from tests.support import STRONG_PASSWORD, login_as


async def test_profile_update_only_name_and_username(client: httpx.AsyncClient, app: Any) -> None:
    _, headers = await login_as(app)
    ok = await client.patch(
        "/api/v1/users/me", headers=headers, json={"full_name": "New Name", "username": "NewNick"}
    )
    assert ok.status_code == 200
    assert ok.json()["full_name"] == "New Name"
    assert ok.json()["username"] == "newnick"
    for forbidden in (
        {"role": "admin"},
        {"is_active": False},
        {"email": "x@example.com"},
        {"balance": "100.00"},
    ):
        response = await client.patch("/api/v1/users/me", headers=headers, json=forbidden)
        assert response.status_code == 422, forbidden
    me = await client.get("/api/v1/users/me", headers=headers)
    assert me.json()["role"] == "customer"


async def test_customer_gets_404_for_another_user(client: httpx.AsyncClient, app: Any) -> None:
    user, headers = await login_as(app)
    other, _ = await login_as(app)
    assert (await client.get(f"/api/v1/users/{other.id}", headers=headers)).status_code == 404
    assert (await client.get("/api/v1/users/99999", headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/users/{user.id}", headers=headers)).status_code == 200


async def test_role_checks(client: httpx.AsyncClient, app: Any) -> None:
    _, customer = await login_as(app)
    _, staff = await login_as(app, role="staff")
    _, admin = await login_as(app, role="admin")
    assert (await client.get("/api/v1/users", headers=customer)).status_code == 403
    assert (await client.get("/api/v1/users", headers=staff)).status_code == 200
    body = {"email": "new@example.com", "password": STRONG_PASSWORD, "full_name": "New"}
    assert (await client.post("/api/v1/users", headers=staff, json=body)).status_code == 403
    assert (await client.post("/api/v1/users", headers=customer, json=body)).status_code == 403
    created = await client.post("/api/v1/users", headers=admin, json=body | {"role": "staff"})
    assert created.status_code == 201
    assert created.json()["role"] == "staff"
    assert (await client.get("/api/v1/audit-events", headers=staff)).status_code == 403


async def test_admin_list_filters_and_paginates(client: httpx.AsyncClient, app: Any) -> None:
    _, admin = await login_as(app, role="admin")
    for n in range(5):
        await login_as(app, role="staff", email=f"staff{n}@example.com")
    first = await client.get("/api/v1/users?role=staff&limit=2", headers=admin)
    assert first.status_code == 200
    page = first.json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    seen = [u["id"] for u in page["items"]]
    while page["next_cursor"]:
        page = (
            await client.get(
                f"/api/v1/users?role=staff&limit=2&cursor={page['next_cursor']}", headers=admin
            )
        ).json()
        seen += [u["id"] for u in page["items"]]
    assert len(seen) == len(set(seen)) == 5
    found = await client.get("/api/v1/users?q=staff3", headers=admin)
    assert [u["email"] for u in found.json()["items"]] == ["staff3@example.com"]
    bad = await client.get("/api/v1/users?cursor=garbage", headers=admin)
    assert bad.status_code == 400


async def test_role_change_is_audited_and_applies_at_once(
    client: httpx.AsyncClient, app: Any, db: Database
) -> None:
    _, admin = await login_as(app, role="admin")
    user, headers = await login_as(app)
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 403
    response = await client.patch(f"/api/v1/users/{user.id}", headers=admin, json={"role": "staff"})
    assert response.status_code == 200
    assert (await client.get("/api/v1/users", headers=headers)).status_code == 200
    async with db.session() as session:
        row = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "user.role_changed")
        )
    assert row is not None
    assert row.before == {"role": "customer"} and row.after == {"role": "staff"}


async def test_deactivation_refuses_tokens_at_once(client: httpx.AsyncClient, app: Any) -> None:
    _, admin = await login_as(app, role="admin")
    await register(client)
    pair = await tokens(client)
    async with app.state.container.db.session() as session:
        user_id = await session.scalar(select(User.id).where(User.email == "alice@example.com"))
    response = await client.patch(
        f"/api/v1/users/{user_id}", headers=admin, json={"is_active": False}
    )
    assert response.status_code == 200
    me = await client.get("/api/v1/users/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 401
    assert (await login(client)).status_code == 401


async def test_delete_and_restore(client: httpx.AsyncClient, app: Any) -> None:
    _, admin = await login_as(app, role="admin")
    await register(client)
    pair = await tokens(client)
    async with app.state.container.db.session() as session:
        user_id = await session.scalar(select(User.id).where(User.email == "alice@example.com"))
    assert (await client.delete(f"/api/v1/users/{user_id}", headers=admin)).status_code == 204
    assert (
        await client.get("/api/v1/users/me", headers=bearer(pair["access_token"]))
    ).status_code == 401
    assert (await login(client)).status_code == 401
    assert (await register(client)).status_code == 409  # the e-mail stays taken
    assert (await client.delete(f"/api/v1/users/{user_id}", headers=admin)).status_code == 404
    restored = await client.post(f"/api/v1/users/{user_id}/restore", headers=admin)
    assert restored.status_code == 200
    assert (await login(client)).status_code == 200
    again = await client.post(f"/api/v1/users/{user_id}/restore", headers=admin)
    assert again.status_code == 409


async def test_admin_unlock(client: httpx.AsyncClient, app: Any) -> None:
    _, admin = await login_as(app, role="admin")
    await register(client)
    for n in range(5):
        await login(client, password=f"Wrong-{n}!")
    assert (await login(client)).status_code == 403
    async with app.state.container.db.session() as session:
        user_id = await session.scalar(select(User.id).where(User.email == "alice@example.com"))
    assert (await client.post(f"/api/v1/users/{user_id}/unlock", headers=admin)).status_code == 204
    assert (await login(client)).status_code == 200


async def test_audit_events_for_admins(client: httpx.AsyncClient, app: Any) -> None:
    _, admin = await login_as(app, role="admin")
    await register(client)
    await login(client, password="Wrong-passw0rd!")
    response = await client.get("/api/v1/audit-events?action=user.login_failed", headers=admin)
    assert response.status_code == 200
    items = response.json()["items"]
    assert len(items) == 1
    assert items[0]["ip"] == "203.0.113.7"
    assert items[0]["correlation_id"]
    everything = await client.get("/api/v1/audit-events?limit=1", headers=admin)
    assert everything.json()["next_cursor"]


async def test_user_ids_beyond_64_bits_are_422_not_500(client: httpx.AsyncClient, app: Any) -> None:
    """Found by the API fuzzer: an id the database cannot hold overflowed the driver (500)."""
    _, admin = await login_as(app, role="admin")
    for bad in (str(2**63), str(-(2**63) - 1), "0"):
        for method, path in (
            ("GET", f"/api/v1/users/{bad}"),
            ("PATCH", f"/api/v1/users/{bad}"),
            ("DELETE", f"/api/v1/users/{bad}"),
            ("POST", f"/api/v1/users/{bad}/restore"),
            ("POST", f"/api/v1/users/{bad}/unlock"),
        ):
            response = await client.request(method, path, headers=admin, json={})
            assert response.status_code == 422, (method, path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
    largest = await client.get(f"/api/v1/users/{2**63 - 1}", headers=admin)
    assert largest.status_code == 404


async def test_audit_actor_id_beyond_64_bits_is_422_not_500(
    client: httpx.AsyncClient, app: Any
) -> None:
    """Found by the API fuzzer: the actor_id filter overflowed the database driver (500)."""
    _, admin = await login_as(app, role="admin")
    for bad in (2**63, -(2**63) - 1):
        response = await client.get(f"/api/v1/audit-events?actor_id={bad}", headers=admin)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
    largest = await client.get(f"/api/v1/audit-events?actor_id={2**63 - 1}", headers=admin)
    assert largest.status_code == 200 and largest.json()["items"] == []
