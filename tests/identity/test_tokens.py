"""JWT attacks all get 401 with WWW-Authenticate: Bearer."""

import base64
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest

from corebank.core.errors import Unauthorized
from corebank.identity.tokens import TokenService, TokenType
from tests.identity.helpers import bearer, register, tokens


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_of(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


async def me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/v1/users/me", headers=bearer(token))


@pytest.fixture
async def pair(client: httpx.AsyncClient) -> dict[str, Any]:
    await register(client)
    return await tokens(client)


def assert_401(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


async def test_valid_token_works(client: httpx.AsyncClient, pair: dict[str, Any]) -> None:
    assert (await me(client, pair["access_token"])).status_code == 200
    claims = claims_of(pair["access_token"])
    assert set(claims) >= {"iss", "aud", "sub", "exp", "iat", "jti", "sid", "typ", "role"}
    assert isinstance(claims["sub"], str)
    assert claims["typ"] == "access"


async def test_no_token_and_garbage(client: httpx.AsyncClient) -> None:
    assert_401(await client.get("/api/v1/users/me"))
    assert_401(await me(client, "not-a-jwt"))
    assert_401(await client.get("/api/v1/users/me", headers={"Authorization": "Basic abc"}))


async def test_alg_none_is_refused(client: httpx.AsyncClient, pair: dict[str, Any]) -> None:
    claims = claims_of(pair["access_token"])
    forged = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims)}."
    assert_401(await me(client, forged))


async def test_edited_payload_is_refused(client: httpx.AsyncClient, pair: dict[str, Any]) -> None:
    header, _, signature = pair["access_token"].split(".")
    claims = claims_of(pair["access_token"]) | {"role": "admin", "sub": "999"}
    assert_401(await me(client, f"{header}.{b64(claims)}.{signature}"))


async def test_other_key_and_other_algorithm_are_refused(
    client: httpx.AsyncClient, pair: dict[str, Any]
) -> None:
    claims = claims_of(pair["access_token"])
    assert_401(await me(client, jwt.encode(claims, "x" * 64, algorithm="HS256")))
    assert_401(await me(client, jwt.encode(claims, "x" * 64, algorithm="HS512")))


async def test_unknown_critical_header_is_refused(
    client: httpx.AsyncClient, app: Any, pair: dict[str, Any]
) -> None:
    claims = claims_of(pair["access_token"])
    key = app.state.container.settings.signing_key
    token = jwt.encode(claims, key, algorithm="HS256", headers={"crit": ["exp-magic"]})
    assert_401(await me(client, token))


@pytest.mark.parametrize(
    "change",
    [
        {"iss": "someone-else"},
        {"aud": "other-api"},
        {"typ": "refresh"},
        {"sub": 1},
        {"exp": int(time.time()) - 3600},
        {"nbf": int(time.time()) + 3600},
        {"sid": "1"},
    ],
)
async def test_wrong_claims_are_refused(
    client: httpx.AsyncClient, app: Any, pair: dict[str, Any], change: dict[str, Any]
) -> None:
    claims = claims_of(pair["access_token"]) | change
    token = jwt.encode(claims, app.state.container.settings.signing_key, algorithm="HS256")
    assert_401(await me(client, token))


@pytest.mark.parametrize("missing", ["exp", "sid", "jti", "typ", "aud", "iss", "sub"])
async def test_missing_claims_are_refused(
    client: httpx.AsyncClient, app: Any, pair: dict[str, Any], missing: str
) -> None:
    claims = claims_of(pair["access_token"])
    del claims[missing]
    token = jwt.encode(claims, app.state.container.settings.signing_key, algorithm="HS256")
    assert_401(await me(client, token))


async def test_refresh_token_is_not_an_access_token(
    client: httpx.AsyncClient, pair: dict[str, Any]
) -> None:
    assert_401(await me(client, pair["refresh_token"]))


async def test_access_token_expires_after_30_minutes(
    client: httpx.AsyncClient, clock: Any, pair: dict[str, Any]
) -> None:
    clock.advance(minutes=29)
    assert (await me(client, pair["access_token"])).status_code == 200
    clock.advance(minutes=2)
    assert_401(await me(client, pair["access_token"]))


async def test_token_service_round_trip(app: Any) -> None:
    now = app.state.container.clock.now()
    token, expires = app.state.container.tokens.issue(
        user_id=7,
        session_id=3,
        role="staff",
        token_type=TokenType.access,
        now=now,
        lifetime=timedelta(minutes=5),
    )
    claims = app.state.container.tokens.verify(token, expected=TokenType.access, now=now)
    assert (claims.user_id, claims.session_id, claims.role) == (7, 3, "staff")
    assert expires == now + timedelta(minutes=5)


def test_a_verified_token_is_decoded_once_but_its_time_and_type_checked_every_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = TokenService("k" * 32)
    now = datetime.now(UTC)
    token, _ = service.issue(
        user_id=7,
        session_id=3,
        role="customer",
        token_type=TokenType.access,
        now=now,
        lifetime=timedelta(minutes=30),
    )
    decoded: list[str] = []
    real_decode = jwt.decode

    def counting_decode(text: str, *args: Any, **kwargs: Any) -> Any:
        decoded.append(text)
        return real_decode(text, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)

    for _ in range(3):
        assert service.verify(token, expected=TokenType.access, now=now).user_id == 7
    assert service.peek_user_id(token) == 7
    assert decoded == [token]  # the signature was checked once

    with pytest.raises(Unauthorized):
        service.verify(token, expected=TokenType.refresh, now=now)
    with pytest.raises(Unauthorized):
        service.verify(token, expected=TokenType.access, now=now + timedelta(minutes=31))

    head, payload, signature = token.split(".")
    edited = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
    for _ in range(2):
        with pytest.raises(Unauthorized):
            service.verify(edited, expected=TokenType.access, now=now)
    assert decoded == [token, edited, edited]  # a failure is never kept
    assert service.peek_user_id(edited) is None
