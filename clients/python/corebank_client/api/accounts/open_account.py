from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.account_create import AccountCreate
from ...models.account_out import AccountOut
from ...types import Response


def _get_kwargs(
    *,
    body: AccountCreate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/accounts",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AccountOut | Any | None:
    if response.status_code == 201:
        response_201 = AccountOut.from_dict(response.json())

        return response_201

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
) -> Response[AccountOut | Any]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: AccountCreate,
) -> Response[AccountOut | Any]:
    """Open an account

     Open a checking or savings account. Staff name the customer; a customer opens their own.

    With KYC_REQUIRED the customer must be verified. The account starts active with a zero
    balance and no overdraft; its number carries ISO 7064 mod 97-10 check digits.

    Args:
        body (AccountCreate): Open an account. Staff name the customer; a customer omits
            `customer_id` (their own).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountOut | Any]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: AccountCreate,
) -> AccountOut | Any | None:
    """Open an account

     Open a checking or savings account. Staff name the customer; a customer opens their own.

    With KYC_REQUIRED the customer must be verified. The account starts active with a zero
    balance and no overdraft; its number carries ISO 7064 mod 97-10 check digits.

    Args:
        body (AccountCreate): Open an account. Staff name the customer; a customer omits
            `customer_id` (their own).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountOut | Any
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: AccountCreate,
) -> Response[AccountOut | Any]:
    """Open an account

     Open a checking or savings account. Staff name the customer; a customer opens their own.

    With KYC_REQUIRED the customer must be verified. The account starts active with a zero
    balance and no overdraft; its number carries ISO 7064 mod 97-10 check digits.

    Args:
        body (AccountCreate): Open an account. Staff name the customer; a customer omits
            `customer_id` (their own).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountOut | Any]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: AccountCreate,
) -> AccountOut | Any | None:
    """Open an account

     Open a checking or savings account. Staff name the customer; a customer opens their own.

    With KYC_REQUIRED the customer must be verified. The account starts active with a zero
    balance and no overdraft; its number carries ISO 7064 mod 97-10 check digits.

    Args:
        body (AccountCreate): Open an account. Staff name the customer; a customer omits
            `customer_id` (their own).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountOut | Any
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
