from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.balance_out import BalanceOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    account_id: int,
    *,
    at: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_at: None | str | Unset
    if isinstance(at, Unset):
        json_at = UNSET
    else:
        json_at = at
    params["at"] = json_at

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/accounts/{account_id}/balance".format(
            account_id=quote(str(account_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | BalanceOut | None:
    if response.status_code == 200:
        response_200 = BalanceOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

    if response.status_code == 404:
        response_404 = cast(Any, None)
        return response_404

    if response.status_code == 422:
        response_422 = cast(Any, None)
        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | BalanceOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    account_id: int,
    *,
    client: AuthenticatedClient,
    at: None | str | Unset = UNSET,
) -> Response[Any | BalanceOut]:
    """Balance as of a moment

     The posted balance as of `at` (default now), summed from the account's postings; a
    date means the end of that day (UTC).

    Args:
        account_id (int): Account id
        at (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | BalanceOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        at=at,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: int,
    *,
    client: AuthenticatedClient,
    at: None | str | Unset = UNSET,
) -> Any | BalanceOut | None:
    """Balance as of a moment

     The posted balance as of `at` (default now), summed from the account's postings; a
    date means the end of that day (UTC).

    Args:
        account_id (int): Account id
        at (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | BalanceOut
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        at=at,
    ).parsed


async def asyncio_detailed(
    account_id: int,
    *,
    client: AuthenticatedClient,
    at: None | str | Unset = UNSET,
) -> Response[Any | BalanceOut]:
    """Balance as of a moment

     The posted balance as of `at` (default now), summed from the account's postings; a
    date means the end of that day (UTC).

    Args:
        account_id (int): Account id
        at (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | BalanceOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        at=at,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: int,
    *,
    client: AuthenticatedClient,
    at: None | str | Unset = UNSET,
) -> Any | BalanceOut | None:
    """Balance as of a moment

     The posted balance as of `at` (default now), summed from the account's postings; a
    date means the end of that day (UTC).

    Args:
        account_id (int): Account id
        at (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | BalanceOut
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            at=at,
        )
    ).parsed
