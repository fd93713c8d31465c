from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.repayment_in import RepaymentIn
from ...models.repayment_out import RepaymentOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    loan_id: int,
    *,
    body: RepaymentIn,
    idempotency_key: None | str | Unset = UNSET,
    x_transaction_pin: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(x_transaction_pin, Unset):
        headers["X-Transaction-PIN"] = x_transaction_pin

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/loans/{loan_id}/repayments".format(
            loan_id=quote(str(loan_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | RepaymentOut | None:
    if response.status_code == 201:
        response_201 = RepaymentOut.from_dict(response.json())

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
) -> Response[Any | RepaymentOut]:
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
    body: RepaymentIn,
    idempotency_key: None | str | Unset = UNSET,
    x_transaction_pin: None | str | Unset = UNSET,
) -> Response[Any | RepaymentOut]:
    """Repay a loan

     Fees, interest, then principal of the oldest due installment first; the rest prepays
    principal (same installment amount, shorter term); the payoff quote pays it off.

    Args:
        loan_id (int): Loan id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        x_transaction_pin (None | str | Unset): A customer's transaction PIN
        body (RepaymentIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | RepaymentOut]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        body=body,
        idempotency_key=idempotency_key,
        x_transaction_pin=x_transaction_pin,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    loan_id: int,
    *,
    client: AuthenticatedClient,
    body: RepaymentIn,
    idempotency_key: None | str | Unset = UNSET,
    x_transaction_pin: None | str | Unset = UNSET,
) -> Any | RepaymentOut | None:
    """Repay a loan

     Fees, interest, then principal of the oldest due installment first; the rest prepays
    principal (same installment amount, shorter term); the payoff quote pays it off.

    Args:
        loan_id (int): Loan id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        x_transaction_pin (None | str | Unset): A customer's transaction PIN
        body (RepaymentIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | RepaymentOut
    """

    return sync_detailed(
        loan_id=loan_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
        x_transaction_pin=x_transaction_pin,
    ).parsed


async def asyncio_detailed(
    loan_id: int,
    *,
    client: AuthenticatedClient,
    body: RepaymentIn,
    idempotency_key: None | str | Unset = UNSET,
    x_transaction_pin: None | str | Unset = UNSET,
) -> Response[Any | RepaymentOut]:
    """Repay a loan

     Fees, interest, then principal of the oldest due installment first; the rest prepays
    principal (same installment amount, shorter term); the payoff quote pays it off.

    Args:
        loan_id (int): Loan id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        x_transaction_pin (None | str | Unset): A customer's transaction PIN
        body (RepaymentIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | RepaymentOut]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        body=body,
        idempotency_key=idempotency_key,
        x_transaction_pin=x_transaction_pin,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    loan_id: int,
    *,
    client: AuthenticatedClient,
    body: RepaymentIn,
    idempotency_key: None | str | Unset = UNSET,
    x_transaction_pin: None | str | Unset = UNSET,
) -> Any | RepaymentOut | None:
    """Repay a loan

     Fees, interest, then principal of the oldest due installment first; the rest prepays
    principal (same installment amount, shorter term); the payoff quote pays it off.

    Args:
        loan_id (int): Loan id
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        x_transaction_pin (None | str | Unset): A customer's transaction PIN
        body (RepaymentIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | RepaymentOut
    """

    return (
        await asyncio_detailed(
            loan_id=loan_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
            x_transaction_pin=x_transaction_pin,
        )
    ).parsed
