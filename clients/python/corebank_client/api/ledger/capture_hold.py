from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.capture_in import CaptureIn
from ...models.hold_capture_out import HoldCaptureOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    hold_id: int,
    *,
    body: CaptureIn,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/holds/{hold_id}/capture".format(
            hold_id=quote(str(hold_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | HoldCaptureOut | None:
    if response.status_code == 201:
        response_201 = HoldCaptureOut.from_dict(response.json())

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
) -> Response[Any | HoldCaptureOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    hold_id: int,
    *,
    client: AuthenticatedClient,
    body: CaptureIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Any | HoldCaptureOut]:
    """Capture a hold

     Capture all or part of an open hold (once): the amount is debited, the rest released.

    Args:
        hold_id (int): Hold id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        body (CaptureIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HoldCaptureOut]
    """

    kwargs = _get_kwargs(
        hold_id=hold_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    hold_id: int,
    *,
    client: AuthenticatedClient,
    body: CaptureIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Any | HoldCaptureOut | None:
    """Capture a hold

     Capture all or part of an open hold (once): the amount is debited, the rest released.

    Args:
        hold_id (int): Hold id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        body (CaptureIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HoldCaptureOut
    """

    return sync_detailed(
        hold_id=hold_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    hold_id: int,
    *,
    client: AuthenticatedClient,
    body: CaptureIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Any | HoldCaptureOut]:
    """Capture a hold

     Capture all or part of an open hold (once): the amount is debited, the rest released.

    Args:
        hold_id (int): Hold id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        body (CaptureIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | HoldCaptureOut]
    """

    kwargs = _get_kwargs(
        hold_id=hold_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    hold_id: int,
    *,
    client: AuthenticatedClient,
    body: CaptureIn,
    idempotency_key: None | str | Unset = UNSET,
) -> Any | HoldCaptureOut | None:
    """Capture a hold

     Capture all or part of an open hold (once): the amount is debited, the rest released.

    Args:
        hold_id (int): Hold id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        body (CaptureIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | HoldCaptureOut
    """

    return (
        await asyncio_detailed(
            hold_id=hold_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
