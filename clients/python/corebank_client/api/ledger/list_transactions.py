from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.entry_type import EntryType
from ...models.page_account_transaction_out import PageAccountTransactionOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    account_id: int,
    *,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    type_: EntryType | None | Unset = UNSET,
    min_amount: None | str | Unset = UNSET,
    max_amount: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_from_: None | str | Unset
    if isinstance(from_, Unset):
        json_from_ = UNSET
    else:
        json_from_ = from_
    params["from"] = json_from_

    json_to: None | str | Unset
    if isinstance(to, Unset):
        json_to = UNSET
    else:
        json_to = to
    params["to"] = json_to

    json_type_: None | str | Unset
    if isinstance(type_, Unset):
        json_type_ = UNSET
    elif isinstance(type_, EntryType):
        json_type_ = type_.value
    else:
        json_type_ = type_
    params["type"] = json_type_

    json_min_amount: None | str | Unset
    if isinstance(min_amount, Unset):
        json_min_amount = UNSET
    else:
        json_min_amount = min_amount
    params["min_amount"] = json_min_amount

    json_max_amount: None | str | Unset
    if isinstance(max_amount, Unset):
        json_max_amount = UNSET
    else:
        json_max_amount = max_amount
    params["max_amount"] = json_max_amount

    params["limit"] = limit

    json_cursor: None | str | Unset
    if isinstance(cursor, Unset):
        json_cursor = UNSET
    else:
        json_cursor = cursor
    params["cursor"] = json_cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/accounts/{account_id}/transactions".format(
            account_id=quote(str(account_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | PageAccountTransactionOut | None:
    if response.status_code == 200:
        response_200 = PageAccountTransactionOut.from_dict(response.json())

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
) -> Response[Any | PageAccountTransactionOut]:
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
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    type_: EntryType | None | Unset = UNSET,
    min_amount: None | str | Unset = UNSET,
    max_amount: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Any | PageAccountTransactionOut]:
    """An account's transactions

     Newest first, each with the account's balance after it. Filters: `from`/`to` (dates
    or timestamps, inclusive), `type`, `min_amount`/`max_amount` (the amount on this account:
    the transaction's, or for a multi-leg transaction the leg's).

    Args:
        account_id (int): Account id
        from_ (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        to (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        type_ (EntryType | None | Unset):
        min_amount (None | str | Unset):
        max_amount (None | str | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PageAccountTransactionOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        from_=from_,
        to=to,
        type_=type_,
        min_amount=min_amount,
        max_amount=max_amount,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    account_id: int,
    *,
    client: AuthenticatedClient,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    type_: EntryType | None | Unset = UNSET,
    min_amount: None | str | Unset = UNSET,
    max_amount: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Any | PageAccountTransactionOut | None:
    """An account's transactions

     Newest first, each with the account's balance after it. Filters: `from`/`to` (dates
    or timestamps, inclusive), `type`, `min_amount`/`max_amount` (the amount on this account:
    the transaction's, or for a multi-leg transaction the leg's).

    Args:
        account_id (int): Account id
        from_ (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        to (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        type_ (EntryType | None | Unset):
        min_amount (None | str | Unset):
        max_amount (None | str | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PageAccountTransactionOut
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        from_=from_,
        to=to,
        type_=type_,
        min_amount=min_amount,
        max_amount=max_amount,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    account_id: int,
    *,
    client: AuthenticatedClient,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    type_: EntryType | None | Unset = UNSET,
    min_amount: None | str | Unset = UNSET,
    max_amount: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Any | PageAccountTransactionOut]:
    """An account's transactions

     Newest first, each with the account's balance after it. Filters: `from`/`to` (dates
    or timestamps, inclusive), `type`, `min_amount`/`max_amount` (the amount on this account:
    the transaction's, or for a multi-leg transaction the leg's).

    Args:
        account_id (int): Account id
        from_ (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        to (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        type_ (EntryType | None | Unset):
        min_amount (None | str | Unset):
        max_amount (None | str | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PageAccountTransactionOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        from_=from_,
        to=to,
        type_=type_,
        min_amount=min_amount,
        max_amount=max_amount,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: int,
    *,
    client: AuthenticatedClient,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    type_: EntryType | None | Unset = UNSET,
    min_amount: None | str | Unset = UNSET,
    max_amount: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Any | PageAccountTransactionOut | None:
    """An account's transactions

     Newest first, each with the account's balance after it. Filters: `from`/`to` (dates
    or timestamps, inclusive), `type`, `min_amount`/`max_amount` (the amount on this account:
    the transaction's, or for a multi-leg transaction the leg's).

    Args:
        account_id (int): Account id
        from_ (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        to (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        type_ (EntryType | None | Unset):
        min_amount (None | str | Unset):
        max_amount (None | str | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PageAccountTransactionOut
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            from_=from_,
            to=to,
            type_=type_,
            min_amount=min_amount,
            max_amount=max_amount,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
