from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.quote_out import QuoteOut
from ...types import Response


def _get_kwargs(
    loan_id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/loans/{loan_id}/payoff-quote".format(
            loan_id=quote(str(loan_id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | QuoteOut | None:
    if response.status_code == 200:
        response_200 = QuoteOut.from_dict(response.json())

        return response_200

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
) -> Response[Any | QuoteOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    loan_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[Any | QuoteOut]:
    """What pays a loan off today

     The outstanding principal, interest and fees due, and interest accrued since the last
    due date; repaying exactly this total pays the loan off.

    Args:
        loan_id (int): Loan id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | QuoteOut]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    loan_id: int,
    *,
    client: AuthenticatedClient,
) -> Any | QuoteOut | None:
    """What pays a loan off today

     The outstanding principal, interest and fees due, and interest accrued since the last
    due date; repaying exactly this total pays the loan off.

    Args:
        loan_id (int): Loan id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | QuoteOut
    """

    return sync_detailed(
        loan_id=loan_id,
        client=client,
    ).parsed


async def asyncio_detailed(
    loan_id: int,
    *,
    client: AuthenticatedClient,
) -> Response[Any | QuoteOut]:
    """What pays a loan off today

     The outstanding principal, interest and fees due, and interest accrued since the last
    due date; repaying exactly this total pays the loan off.

    Args:
        loan_id (int): Loan id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | QuoteOut]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    loan_id: int,
    *,
    client: AuthenticatedClient,
) -> Any | QuoteOut | None:
    """What pays a loan off today

     The outstanding principal, interest and fees due, and interest accrued since the last
    due date; repaying exactly this total pays the loan off.

    Args:
        loan_id (int): Loan id

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | QuoteOut
    """

    return (
        await asyncio_detailed(
            loan_id=loan_id,
            client=client,
        )
    ).parsed
