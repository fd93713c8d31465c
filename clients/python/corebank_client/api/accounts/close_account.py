from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.account_out import AccountOut
from ...models.approval_out import ApprovalOut
from ...types import Response


def _get_kwargs(
    account_id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/accounts/{account_id}/close".format(
            account_id=quote(str(account_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> AccountOut | Any | ApprovalOut | None:
    if response.status_code == 200:
        response_200 = AccountOut.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = ApprovalOut.from_dict(response.json())

        return response_202

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
) -> Response[AccountOut | Any | ApprovalOut]:
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
) -> Response[AccountOut | Any | ApprovalOut]:
    """Close an account

     Close an account whose balance is zero and which has no open holds. Closing is final.
    With `account_closure` in APPROVAL_OPERATIONS the answer is 202 and a pending approval
    request; a second person's approval closes it (docs/approvals.md).

    Args:
        account_id (int): Account id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountOut | Any | ApprovalOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: int,
    *,
    client: AuthenticatedClient,
) -> AccountOut | Any | ApprovalOut | None:
    """Close an account

     Close an account whose balance is zero and which has no open holds. Closing is final.
    With `account_closure` in APPROVAL_OPERATIONS the answer is 202 and a pending approval
    request; a second person's approval closes it (docs/approvals.md).

    Args:
        account_id (int): Account id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountOut | Any | ApprovalOut
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    account_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[AccountOut | Any | ApprovalOut]:
    """Close an account

     Close an account whose balance is zero and which has no open holds. Closing is final.
    With `account_closure` in APPROVAL_OPERATIONS the answer is 202 and a pending approval
    request; a second person's approval closes it (docs/approvals.md).

    Args:
        account_id (int): Account id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AccountOut | Any | ApprovalOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: int,
    *,
    client: AuthenticatedClient,
) -> AccountOut | Any | ApprovalOut | None:
    """Close an account

     Close an account whose balance is zero and which has no open holds. Closing is final.
    With `account_closure` in APPROVAL_OPERATIONS the answer is 202 and a pending approval
    request; a second person's approval closes it (docs/approvals.md).

    Args:
        account_id (int): Account id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AccountOut | Any | ApprovalOut
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
        )
    ).parsed
