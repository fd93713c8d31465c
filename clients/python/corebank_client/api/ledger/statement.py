from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.statement_format import StatementFormat
from ...models.statement_out import StatementOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    account_id: int,
    *,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    format_: StatementFormat | Unset = StatementFormat.JSON,
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

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/accounts/{account_id}/statement".format(
            account_id=quote(str(account_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | StatementOut | None:
    if response.status_code == 200:
        response_200 = StatementOut.from_dict(response.json())

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
) -> Response[Any | StatementOut]:
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
    format_: StatementFormat | Unset = StatementFormat.JSON,
) -> Response[Any | StatementOut]:
    """Account statement

     Opening balance, every line of the period and the closing balance (opening + lines).

    `from` and `to` are dates (whole UTC days, inclusive) or ISO 8601 timestamps; `from`
    defaults to the account's opening and `to` to now. `format=csv` gives a CSV file with a
    header row, plain decimal amounts and ISO 8601 dates.

    Args:
        account_id (int): Account id
        from_ (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        to (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        format_ (StatementFormat | Unset):  Default: StatementFormat.JSON.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | StatementOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        from_=from_,
        to=to,
        format_=format_,
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
    format_: StatementFormat | Unset = StatementFormat.JSON,
) -> Any | StatementOut | None:
    """Account statement

     Opening balance, every line of the period and the closing balance (opening + lines).

    `from` and `to` are dates (whole UTC days, inclusive) or ISO 8601 timestamps; `from`
    defaults to the account's opening and `to` to now. `format=csv` gives a CSV file with a
    header row, plain decimal amounts and ISO 8601 dates.

    Args:
        account_id (int): Account id
        from_ (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        to (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        format_ (StatementFormat | Unset):  Default: StatementFormat.JSON.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | StatementOut
    """

    return sync_detailed(
        account_id=account_id,
        client=client,
        from_=from_,
        to=to,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    account_id: int,
    *,
    client: AuthenticatedClient,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    format_: StatementFormat | Unset = StatementFormat.JSON,
) -> Response[Any | StatementOut]:
    """Account statement

     Opening balance, every line of the period and the closing balance (opening + lines).

    `from` and `to` are dates (whole UTC days, inclusive) or ISO 8601 timestamps; `from`
    defaults to the account's opening and `to` to now. `format=csv` gives a CSV file with a
    header row, plain decimal amounts and ISO 8601 dates.

    Args:
        account_id (int): Account id
        from_ (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        to (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        format_ (StatementFormat | Unset):  Default: StatementFormat.JSON.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | StatementOut]
    """

    kwargs = _get_kwargs(
        account_id=account_id,
        from_=from_,
        to=to,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    account_id: int,
    *,
    client: AuthenticatedClient,
    from_: None | str | Unset = UNSET,
    to: None | str | Unset = UNSET,
    format_: StatementFormat | Unset = StatementFormat.JSON,
) -> Any | StatementOut | None:
    """Account statement

     Opening balance, every line of the period and the closing balance (opening + lines).

    `from` and `to` are dates (whole UTC days, inclusive) or ISO 8601 timestamps; `from`
    defaults to the account's opening and `to` to now. `format=csv` gives a CSV file with a
    header row, plain decimal amounts and ISO 8601 dates.

    Args:
        account_id (int): Account id
        from_ (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        to (None | str | Unset): A date (a whole UTC day, inclusive) or an ISO 8601 timestamp
            (inclusive)
        format_ (StatementFormat | Unset):  Default: StatementFormat.JSON.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | StatementOut
    """

    return (
        await asyncio_detailed(
            account_id=account_id,
            client=client,
            from_=from_,
            to=to,
            format_=format_,
        )
    ).parsed
