from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.loan_out import LoanOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    loan_id: int,
    *,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/loans/{loan_id}/disburse".format(
            loan_id=quote(str(loan_id), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | LoanOut | None:
    if response.status_code == 201:
        response_201 = LoanOut.from_dict(response.json())

        return response_201

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

    if response.status_code == 503:
        response_503 = cast(Any, None)
        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | LoanOut]:
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
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Any | LoanOut]:
    """Disburse an approved loan

     Pay the loan out from the bank's loan portfolio account to the customer's account, once;
    the schedule is fixed from today and the loan becomes `active`.

    Args:
        loan_id (int): Loan id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | LoanOut]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    loan_id: int,
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> Any | LoanOut | None:
    """Disburse an approved loan

     Pay the loan out from the bank's loan portfolio account to the customer's account, once;
    the schedule is fixed from today and the loan becomes `active`.

    Args:
        loan_id (int): Loan id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | LoanOut
    """

    return sync_detailed(
        loan_id=loan_id,
        client=client,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    loan_id: int,
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[Any | LoanOut]:
    """Disburse an approved loan

     Pay the loan out from the bank's loan portfolio account to the customer's account, once;
    the schedule is fixed from today and the loan becomes `active`.

    Args:
        loan_id (int): Loan id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | LoanOut]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    loan_id: int,
    *,
    client: AuthenticatedClient,
    idempotency_key: None | str | Unset = UNSET,
) -> Any | LoanOut | None:
    """Disburse an approved loan

     Pay the loan out from the bank's loan portfolio account to the customer's account, once;
    the schedule is fixed from today and the loan becomes `active`.

    Args:
        loan_id (int): Loan id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | LoanOut
    """

    return (
        await asyncio_detailed(
            loan_id=loan_id,
            client=client,
            idempotency_key=idempotency_key,
        )
    ).parsed
