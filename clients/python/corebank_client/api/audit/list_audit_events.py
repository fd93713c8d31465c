import datetime
from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.page_audit_event_out import PageAuditEventOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    actor_id: int | None | Unset = UNSET,
    action: None | str | Unset = UNSET,
    target_type: None | str | Unset = UNSET,
    target_id: None | str | Unset = UNSET,
    occurred_from: datetime.datetime | None | Unset = UNSET,
    occurred_to: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_actor_id: int | None | Unset
    if isinstance(actor_id, Unset):
        json_actor_id = UNSET
    else:
        json_actor_id = actor_id
    params["actor_id"] = json_actor_id

    json_action: None | str | Unset
    if isinstance(action, Unset):
        json_action = UNSET
    else:
        json_action = action
    params["action"] = json_action

    json_target_type: None | str | Unset
    if isinstance(target_type, Unset):
        json_target_type = UNSET
    else:
        json_target_type = target_type
    params["target_type"] = json_target_type

    json_target_id: None | str | Unset
    if isinstance(target_id, Unset):
        json_target_id = UNSET
    else:
        json_target_id = target_id
    params["target_id"] = json_target_id

    json_occurred_from: None | str | Unset
    if isinstance(occurred_from, Unset):
        json_occurred_from = UNSET
    elif isinstance(occurred_from, datetime.datetime):
        json_occurred_from = occurred_from.isoformat()
    else:
        json_occurred_from = occurred_from
    params["occurred_from"] = json_occurred_from

    json_occurred_to: None | str | Unset
    if isinstance(occurred_to, Unset):
        json_occurred_to = UNSET
    elif isinstance(occurred_to, datetime.datetime):
        json_occurred_to = occurred_to.isoformat()
    else:
        json_occurred_to = occurred_to
    params["occurred_to"] = json_occurred_to

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
        "url": "/api/v1/audit-events",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | PageAuditEventOut | None:
    if response.status_code == 200:
        response_200 = PageAuditEventOut.from_dict(response.json())

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
) -> Response[Any | PageAuditEventOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    actor_id: int | None | Unset = UNSET,
    action: None | str | Unset = UNSET,
    target_type: None | str | Unset = UNSET,
    target_id: None | str | Unset = UNSET,
    occurred_from: datetime.datetime | None | Unset = UNSET,
    occurred_to: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Any | PageAuditEventOut]:
    """Audit trail

     Audit events, newest written first, filtered by actor, action, target and time range.

    A row is listed as soon as its transaction commits; its chain position (`id`) and `hash`
    follow when the audit chain seals it, a moment later (`sealed` says which).

    Args:
        actor_id (int | None | Unset):
        action (None | str | Unset):
        target_type (None | str | Unset):
        target_id (None | str | Unset):
        occurred_from (datetime.datetime | None | Unset):
        occurred_to (datetime.datetime | None | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PageAuditEventOut]
    """

    kwargs = _get_kwargs(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
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
    actor_id: int | None | Unset = UNSET,
    action: None | str | Unset = UNSET,
    target_type: None | str | Unset = UNSET,
    target_id: None | str | Unset = UNSET,
    occurred_from: datetime.datetime | None | Unset = UNSET,
    occurred_to: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Any | PageAuditEventOut | None:
    """Audit trail

     Audit events, newest written first, filtered by actor, action, target and time range.

    A row is listed as soon as its transaction commits; its chain position (`id`) and `hash`
    follow when the audit chain seals it, a moment later (`sealed` says which).

    Args:
        actor_id (int | None | Unset):
        action (None | str | Unset):
        target_type (None | str | Unset):
        target_id (None | str | Unset):
        occurred_from (datetime.datetime | None | Unset):
        occurred_to (datetime.datetime | None | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PageAuditEventOut
    """

    return sync_detailed(
        client=client,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    actor_id: int | None | Unset = UNSET,
    action: None | str | Unset = UNSET,
    target_type: None | str | Unset = UNSET,
    target_id: None | str | Unset = UNSET,
    occurred_from: datetime.datetime | None | Unset = UNSET,
    occurred_to: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Response[Any | PageAuditEventOut]:
    """Audit trail

     Audit events, newest written first, filtered by actor, action, target and time range.

    A row is listed as soon as its transaction commits; its chain position (`id`) and `hash`
    follow when the audit chain seals it, a moment later (`sealed` says which).

    Args:
        actor_id (int | None | Unset):
        action (None | str | Unset):
        target_type (None | str | Unset):
        target_id (None | str | Unset):
        occurred_from (datetime.datetime | None | Unset):
        occurred_to (datetime.datetime | None | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PageAuditEventOut]
    """

    kwargs = _get_kwargs(
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=target_id,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    actor_id: int | None | Unset = UNSET,
    action: None | str | Unset = UNSET,
    target_type: None | str | Unset = UNSET,
    target_id: None | str | Unset = UNSET,
    occurred_from: datetime.datetime | None | Unset = UNSET,
    occurred_to: datetime.datetime | None | Unset = UNSET,
    limit: int | Unset = 50,
    cursor: None | str | Unset = UNSET,
) -> Any | PageAuditEventOut | None:
    """Audit trail

     Audit events, newest written first, filtered by actor, action, target and time range.

    A row is listed as soon as its transaction commits; its chain position (`id`) and `hash`
    follow when the audit chain seals it, a moment later (`sealed` says which).

    Args:
        actor_id (int | None | Unset):
        action (None | str | Unset):
        target_type (None | str | Unset):
        target_id (None | str | Unset):
        occurred_from (datetime.datetime | None | Unset):
        occurred_to (datetime.datetime | None | Unset):
        limit (int | Unset): Items per page Default: 50.
        cursor (None | str | Unset): `next_cursor` of the previous page

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PageAuditEventOut
    """

    return (
        await asyncio_detailed(
            client=client,
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            occurred_from=occurred_from,
            occurred_to=occurred_to,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
