from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.account_out import AccountOut
from ...models.account_update import AccountUpdate
from ...types import Response


def _get_kwargs(
    account_id: int,
    *,
    body: AccountUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "patch",
        "url": "/api/v1/accounts/{account_id}".format(
            account_id=quote(str(account_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AccountOut | Any | None:
    if response.status_code == 200:
        response_200 = AccountOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

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
) -> Response[AccountOut | Any]:
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
    body: AccountUpdate,
) -> Response[AccountOut | Any]:
    """Change an account

     A customer may rename their account; staff may also freeze or unfreeze it and set its
    overdraft limit (at most the customer's credit limit, converted 1:1 into the currency).

    Args:
        account_id (int): Account id
        body (AccountUpdate): Change an account: customers the nickname; staff also status and
            overdraft limit.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountOut | Any]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: int,
    *,
    client: AuthenticatedClient,
    body: AccountUpdate,
) -> AccountOut | Any | None:
    """Change an account

     A customer may rename their account; staff may also freeze or unfreeze it and set its
    overdraft limit (at most the customer's credit limit, converted 1:1 into the currency).

    Args:
        account_id (int): Account id
        body (AccountUpdate): Change an account: customers the nickname; staff also status and
            overdraft limit.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountOut | Any
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    account_id: int,
    *,
    client: AuthenticatedClient,
    body: AccountUpdate,
) -> Response[AccountOut | Any]:
    """Change an account

     A customer may rename their account; staff may also freeze or unfreeze it and set its
    overdraft limit (at most the customer's credit limit, converted 1:1 into the currency).

    Args:
        account_id (int): Account id
        body (AccountUpdate): Change an account: customers the nickname; staff also status and
            overdraft limit.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountOut | Any]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: int,
    *,
    client: AuthenticatedClient,
    body: AccountUpdate,
) -> AccountOut | Any | None:
    """Change an account

     A customer may rename their account; staff may also freeze or unfreeze it and set its
    overdraft limit (at most the customer's credit limit, converted 1:1 into the currency).

    Args:
        account_id (int): Account id
        body (AccountUpdate): Change an account: customers the nickname; staff also status and
            overdraft limit.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountOut | Any
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            body=body,
        )
    ).parsed
