from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.approval_out import ApprovalOut
from ...models.approve_in import ApproveIn
from ...types import UNSET, Response, Unset


def _get_kwargs(
    approval_id: int,
    *,
    body: ApproveIn | None | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/approvals/{approval_id}/approve".format(
            approval_id=quote(str(approval_id), safe=""),
        ),
    }

    if isinstance(body, ApproveIn):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ApprovalOut | None:
    if response.status_code == 200:
        response_200 = ApprovalOut.from_dict(response.json())

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
) -> Response[Any | ApprovalOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    approval_id: int,
    *,
    client: AuthenticatedClient,
    body: ApproveIn | None | Unset = UNSET,
) -> Response[Any | ApprovalOut]:
    """Approve a request

     Carry the operation out, once (a money movement captures its holds and posts), by
    staff other than the maker. `result` says what was done (e.g. the transaction id).

    Args:
        approval_id (int): Approval request id
        body (ApproveIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApprovalOut]
    """

    kwargs = _get_kwargs(
        approval_id=approval_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    approval_id: int,
    *,
    client: AuthenticatedClient,
    body: ApproveIn | None | Unset = UNSET,
) -> Any | ApprovalOut | None:
    """Approve a request

     Carry the operation out, once (a money movement captures its holds and posts), by
    staff other than the maker. `result` says what was done (e.g. the transaction id).

    Args:
        approval_id (int): Approval request id
        body (ApproveIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApprovalOut
    """

    return sync_detailed(
        approval_id=approval_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    approval_id: int,
    *,
    client: AuthenticatedClient,
    body: ApproveIn | None | Unset = UNSET,
) -> Response[Any | ApprovalOut]:
    """Approve a request

     Carry the operation out, once (a money movement captures its holds and posts), by
    staff other than the maker. `result` says what was done (e.g. the transaction id).

    Args:
        approval_id (int): Approval request id
        body (ApproveIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApprovalOut]
    """

    kwargs = _get_kwargs(
        approval_id=approval_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    approval_id: int,
    *,
    client: AuthenticatedClient,
    body: ApproveIn | None | Unset = UNSET,
) -> Any | ApprovalOut | None:
    """Approve a request

     Carry the operation out, once (a money movement captures its holds and posts), by
    staff other than the maker. `result` says what was done (e.g. the transaction id).

    Args:
        approval_id (int): Approval request id
        body (ApproveIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApprovalOut
    """

    return (
        await asyncio_detailed(
            approval_id=approval_id,
            client=client,
            body=body,
        )
    ).parsed
