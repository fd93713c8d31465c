from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.deposit_in import DepositIn
from ...models.posted_transaction_out import PostedTransactionOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    account_id: int,
    *,
    body: DepositIn,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/accounts/{account_id}/deposits".format(
            account_id=quote(str(account_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | PostedTransactionOut | None:
    if response.status_code == 201:
        response_201 = PostedTransactionOut.from_dict(response.json())

        return response_201

    if response.status_code == 202:
        response_202 = cast(Any, None)
        return response_202

    if response.status_code == 400:
        response_400 = cast(Any, None)
        return response_400

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
) -> Response[Any | PostedTransactionOut]:
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
    body: DepositIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Any | PostedTransactionOut]:
    """Deposit (cash in)

     Credit an account with cash received (staff). Frozen accounts accept deposits.

    Args:
        account_id (int): Account id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        body (DepositIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PostedTransactionOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: int,
    *,
    client: AuthenticatedClient,
    body: DepositIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Any | PostedTransactionOut | None:
    """Deposit (cash in)

     Credit an account with cash received (staff). Frozen accounts accept deposits.

    Args:
        account_id (int): Account id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        body (DepositIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PostedTransactionOut
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    account_id: int,
    *,
    client: AuthenticatedClient,
    body: DepositIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Any | PostedTransactionOut]:
    """Deposit (cash in)

     Credit an account with cash received (staff). Frozen accounts accept deposits.

    Args:
        account_id (int): Account id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        body (DepositIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PostedTransactionOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: int,
    *,
    client: AuthenticatedClient,
    body: DepositIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Any | PostedTransactionOut | None:
    """Deposit (cash in)

     Credit an account with cash received (staff). Frozen accounts accept deposits.

    Args:
        account_id (int): Account id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        body (DepositIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PostedTransactionOut
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
