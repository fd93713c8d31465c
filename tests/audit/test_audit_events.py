"""GET /audit-events: rows are listed from their commit; sealing adds their place in the chain."""

from typing import Any

import httpx

from corebank.core import audit
from corebank.core.audit_sealer import seal
from corebank.core.db import Database
from tests.support import login_as


async def write(db: Database, *actions: str) -> None:
    for action in actions:
        async with db.transaction() as session:
            audit.record(session, action, target_type="thing", target_id=action)


async def listed(client: httpx.AsyncClient, headers: dict[str, str], **query: Any) -> Any:
    response = await client.get("/api/v1/audit-events", headers=headers, params=query)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_pending_row_is_listed_unsealed_then_sealed(
    client: httpx.AsyncClient, app: Any, db: Database
) -> None:
    _, admin = await login_as(app, role="admin")
    await write(db, "test.first")
    [pending] = (await listed(client, admin, action="test.first"))["items"]
    assert (pending["sealed"], pending["id"], pending["hash"]) == (False, None, None)
    assert isinstance(pending["seq"], int)
    await seal(db)
    [sealed] = (await listed(client, admin, action="test.first"))["items"]
    assert sealed["sealed"] is True
    assert isinstance(sealed["id"], int) and len(sealed["hash"]) == 64
    assert sealed["seq"] == pending["seq"]


async def test_pages_follow_the_write_order_across_sealed_and_pending_rows(
    client: httpx.AsyncClient, app: Any, db: Database
) -> None:
    _, admin = await login_as(app, role="admin")
    await write(db, "test.a", "test.b")
    await seal(db)
    await write(db, "test.c")  # not sealed yet
    first = await listed(client, admin, target_type="thing", limit=2)
    assert [(i["action"], i["sealed"]) for i in first["items"]] == [
        ("test.c", False),
        ("test.b", True),
    ]
    rest = await listed(client, admin, target_type="thing", limit=2, cursor=first["next_cursor"])
    assert [i["action"] for i in rest["items"]] == ["test.a"]
    assert rest["next_cursor"] is None
