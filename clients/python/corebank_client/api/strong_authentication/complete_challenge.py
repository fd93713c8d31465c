from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.authorization_out import AuthorizationOut
from ...models.challenge_completion import ChallengeCompletion
from ...types import Response


def _get_kwargs(
    challenge_id: int,
    *,
    body: ChallengeCompletion,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/challenges/{challenge_id}".format(
            challenge_id=quote(str(challenge_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | AuthorizationOut | None:
    if response.status_code == 200:
        response_200 = AuthorizationOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

    if response.status_code == 403:
        response_403 = cast(Any, None)
        return response_403

    if response.status_code == 404:
        response_404 = cast(Any, None)
        return response_404

    if response.status_code == 409:
        response_409 = cast(Any, None)
        return response_409

    if response.status_code == 422:
        response_422 = cast(Any, None)
        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | AuthorizationOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    challenge_id: int,
    *,
    client: AuthenticatedClient,
    body: ChallengeCompletion,
) -> Response[Any | AuthorizationOut]:
    """Complete a challenge

     Prove the factor (a TOTP code, a recovery code, or the transaction PIN) for a pending
    challenge of yours; answers the one-time authorization code for its exact terms. Wrong
    codes and PINs count toward their own lockouts.

    Args:
        challenge_id (int):
        body (ChallengeCompletion): Exactly one of `code` (a TOTP code or a recovery code) and
            `pin`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | AuthorizationOut]
    """

    kwargs = _get_kwargs(
        challenge_id=challenge_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    challenge_id: int,
    *,
    client: AuthenticatedClient,
    body: ChallengeCompletion,
) -> Any | AuthorizationOut | None:
    """Complete a challenge

     Prove the factor (a TOTP code, a recovery code, or the transaction PIN) for a pending
    challenge of yours; answers the one-time authorization code for its exact terms. Wrong
    codes and PINs count toward their own lockouts.

    Args:
        challenge_id (int):
        body (ChallengeCompletion): Exactly one of `code` (a TOTP code or a recovery code) and
            `pin`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | AuthorizationOut
    """

    return sync_detailed(
        challenge_id=challenge_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    challenge_id: int,
    *,
    client: AuthenticatedClient,
    body: ChallengeCompletion,
) -> Response[Any | AuthorizationOut]:
    """Complete a challenge

     Prove the factor (a TOTP code, a recovery code, or the transaction PIN) for a pending
    challenge of yours; answers the one-time authorization code for its exact terms. Wrong
    codes and PINs count toward their own lockouts.

    Args:
        challenge_id (int):
        body (ChallengeCompletion): Exactly one of `code` (a TOTP code or a recovery code) and
            `pin`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | AuthorizationOut]
    """

    kwargs = _get_kwargs(
        challenge_id=challenge_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    challenge_id: int,
    *,
    client: AuthenticatedClient,
    body: ChallengeCompletion,
) -> Any | AuthorizationOut | None:
    """Complete a challenge

     Prove the factor (a TOTP code, a recovery code, or the transaction PIN) for a pending
    challenge of yours; answers the one-time authorization code for its exact terms. Wrong
    codes and PINs count toward their own lockouts.

    Args:
        challenge_id (int):
        body (ChallengeCompletion): Exactly one of `code` (a TOTP code or a recovery code) and
            `pin`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | AuthorizationOut
    """

    return (
        await asyncio_detailed(
            challenge_id=challenge_id,
            client=client,
            body=body,
        )
    ).parsed
