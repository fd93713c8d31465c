from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.approval_operation import ApprovalOperation
from ...models.approval_status import ApprovalStatus
from ...models.page_approval_out import PageApprovalOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    status: ApprovalStatus | None | Unset = UNSET,
    operation: ApprovalOperation | None | Unset = UNSET,
    requested_by: int | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: None | str | Unset
    if isinstance(status, Unset):
        json_status = UNSET
    elif isinstance(status, ApprovalStatus):
        json_status = status.value
    else:
        json_status = status
    params["status"] = json_status

    json_operation: None | str | Unset
    if isinstance(operation, Unset):
        json_operation = UNSET
    elif isinstance(operation, ApprovalOperation):
        json_operation = operation.value
    else:
        json_operation = operation
    params["operation"] = json_operation

    json_requested_by: int | None | Unset
    if isinstance(requested_by, Unset):
        json_requested_by = UNSET
    else:
        json_requested_by = requested_by
    params["requested_by"] = json_requested_by

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
        "url": "/api/v1/approvals",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | PageApprovalOut | None:
    if response.status_code == 200:
        response_200 = PageApprovalOut.from_dict(response.json())

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
) -> Response[Any | PageApprovalOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    status: ApprovalStatus | None | Unset = UNSET,
    operation: ApprovalOperation | None | Unset = UNSET,
    requested_by: int | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Any | PageApprovalOut]:
    """Approval requests

     Newest first. Staff see every request (filter `status=pending` for the work queue);
    a customer sees their own.

    Args:
        status (ApprovalStatus | None | Unset):
        operation (ApprovalOperation | None | Unset):
        requested_by (int | None | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PageApprovalOut]
    """

    kwargs = _get_kwargs(
        status=status,
        operation=operation,
        requested_by=requested_by,
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
    status: ApprovalStatus | None | Unset = UNSET,
    operation: ApprovalOperation | None | Unset = UNSET,
    requested_by: int | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Any | PageApprovalOut | None:
    """Approval requests

     Newest first. Staff see every request (filter `status=pending` for the work queue);
    a customer sees their own.

    Args:
        status (ApprovalStatus | None | Unset):
        operation (ApprovalOperation | None | Unset):
        requested_by (int | None | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PageApprovalOut
    """

    return sync_detailed(
        client=client,
        status=status,
        operation=operation,
        requested_by=requested_by,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    status: ApprovalStatus | None | Unset = UNSET,
    operation: ApprovalOperation | None | Unset = UNSET,
    requested_by: int | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Any | PageApprovalOut]:
    """Approval requests

     Newest first. Staff see every request (filter `status=pending` for the work queue);
    a customer sees their own.

    Args:
        status (ApprovalStatus | None | Unset):
        operation (ApprovalOperation | None | Unset):
        requested_by (int | None | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PageApprovalOut]
    """

    kwargs = _get_kwargs(
        status=status,
        operation=operation,
        requested_by=requested_by,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    status: ApprovalStatus | None | Unset = UNSET,
    operation: ApprovalOperation | None | Unset = UNSET,
    requested_by: int | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Any | PageApprovalOut | None:
    """Approval requests

     Newest first. Staff see every request (filter `status=pending` for the work queue);
    a customer sees their own.

    Args:
        status (ApprovalStatus | None | Unset):
        operation (ApprovalOperation | None | Unset):
        requested_by (int | None | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PageApprovalOut
    """

    return (
        await asyncio_detailed(
            client=client,
            status=status,
            operation=operation,
            requested_by=requested_by,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
