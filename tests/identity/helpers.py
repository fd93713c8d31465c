"""Shared steps for identity tests: register and log in through the API."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support import STRONG_PASSWORD


async def register(
    client: httpx.AsyncClient,
    email: str = "alice@example.com",
    password: str = STRONG_PASSWORD,
    **extra: Any,
) -> httpx.Response:
    body = {"email": email, "password": password, "full_name": "Alice Example", **extra}
    return await client.post("/api/v1/auth/register", json=body)


async def login(
    client: httpx.AsyncClient, username: str = "alice@example.com", password: str = STRONG_PASSWORD
) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/login", data={"username": username, "password": password}
    )


async def tokens(
    client: httpx.AsyncClient, username: str = "alice@example.com", password: str = STRONG_PASSWORD
) -> dict[str, Any]:
    response = await login(client, username, password)
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
