import datetime
from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.customer_status import CustomerStatus
from ...models.kyc_status import KycStatus
from ...models.page_customer_out import PageCustomerOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    kyc_status: KycStatus | None | Unset = UNSET,
    status: CustomerStatus | Unset = UNSET,
    created_from: datetime.datetime | None | Unset = UNSET,
    created_to: datetime.datetime | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_kyc_status: None | str | Unset
    if isinstance(kyc_status, Unset):
        json_kyc_status = UNSET
    elif isinstance(kyc_status, KycStatus):
        json_kyc_status = kyc_status.value
    else:
        json_kyc_status = kyc_status
    params["kyc_status"] = json_kyc_status

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    json_created_from: None | str | Unset
    if isinstance(created_from, Unset):
        json_created_from = UNSET
    elif isinstance(created_from, datetime.datetime):
        json_created_from = created_from.isoformat()
    else:
        json_created_from = created_from
    params["created_from"] = json_created_from

    json_created_to: None | str | Unset
    if isinstance(created_to, Unset):
        json_created_to = UNSET
    elif isinstance(created_to, datetime.datetime):
        json_created_to = created_to.isoformat()
    else:
        json_created_to = created_to
    params["created_to"] = json_created_to

    json_q: None | str | Unset
    if isinstance(q, Unset):
        json_q = UNSET
    else:
        json_q = q
    params["q"] = json_q

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
        "url": "/api/v1/customers",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | PageCustomerOut | None:
    if response.status_code == 200:
        response_200 = PageCustomerOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

    if response.status_code == 403:
        response_403 = cast(Any, None)
        return response_403

    if response.status_code == 422:
        response_422 = cast(Any, None)
        return response_422

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | PageCustomerOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    kyc_status: KycStatus | None | Unset = UNSET,
    status: CustomerStatus | Unset = UNSET,
    created_from: datetime.datetime | None | Unset = UNSET,
    created_to: datetime.datetime | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Any | PageCustomerOut]:
    """List and search customers

     Customers, newest first (staff), filtered and searched; deleted ones only on request.

    Args:
        kyc_status (KycStatus | None | Unset):
        status (CustomerStatus | Unset):
        created_from (datetime.datetime | None | Unset):
        created_to (datetime.datetime | None | Unset):
        q (None | str | Unset): Part of a name, e-mail or phone; case, accents and wildcards
            ignored
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PageCustomerOut]
    """

    kwargs = _get_kwargs(
        kyc_status=kyc_status,
        status=status,
        created_from=created_from,
        created_to=created_to,
        q=q,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    kyc_status: KycStatus | None | Unset = UNSET,
    status: CustomerStatus | Unset = UNSET,
    created_from: datetime.datetime | None | Unset = UNSET,
    created_to: datetime.datetime | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Any | PageCustomerOut | None:
    """List and search customers

     Customers, newest first (staff), filtered and searched; deleted ones only on request.

    Args:
        kyc_status (KycStatus | None | Unset):
        status (CustomerStatus | Unset):
        created_from (datetime.datetime | None | Unset):
        created_to (datetime.datetime | None | Unset):
        q (None | str | Unset): Part of a name, e-mail or phone; case, accents and wildcards
            ignored
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PageCustomerOut
    """

    return sync_detailed(
        client=client,
        kyc_status=kyc_status,
        status=status,
        created_from=created_from,
        created_to=created_to,
        q=q,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    kyc_status: KycStatus | None | Unset = UNSET,
    status: CustomerStatus | Unset = UNSET,
    created_from: datetime.datetime | None | Unset = UNSET,
    created_to: datetime.datetime | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Any | PageCustomerOut]:
    """List and search customers

     Customers, newest first (staff), filtered and searched; deleted ones only on request.

    Args:
        kyc_status (KycStatus | None | Unset):
        status (CustomerStatus | Unset):
        created_from (datetime.datetime | None | Unset):
        created_to (datetime.datetime | None | Unset):
        q (None | str | Unset): Part of a name, e-mail or phone; case, accents and wildcards
            ignored
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PageCustomerOut]
    """

    kwargs = _get_kwargs(
        kyc_status=kyc_status,
        status=status,
        created_from=created_from,
        created_to=created_to,
        q=q,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    kyc_status: KycStatus | None | Unset = UNSET,
    status: CustomerStatus | Unset = UNSET,
    created_from: datetime.datetime | None | Unset = UNSET,
    created_to: datetime.datetime | None | Unset = UNSET,
    q: None | str | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Any | PageCustomerOut | None:
    """List and search customers

     Customers, newest first (staff), filtered and searched; deleted ones only on request.

    Args:
        kyc_status (KycStatus | None | Unset):
        status (CustomerStatus | Unset):
        created_from (datetime.datetime | None | Unset):
        created_to (datetime.datetime | None | Unset):
        q (None | str | Unset): Part of a name, e-mail or phone; case, accents and wildcards
            ignored
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PageCustomerOut
    """

    return (
        await asyncio_detailed(
            client=client,
            kyc_status=kyc_status,
            status=status,
            created_from=created_from,
            created_to=created_to,
            q=q,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
