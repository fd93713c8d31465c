from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.loan_statement_format import LoanStatementFormat
from ...types import UNSET, Response, Unset


def _get_kwargs(
    loan_id: int,
    *,
    format_: LoanStatementFormat | Unset = LoanStatementFormat.JSON,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/loans/{loan_id}/statement".format(
            loan_id=quote(str(loan_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | None:
    if response.status_code == 401:
        return None

    if response.status_code == 404:
        return None

    if response.status_code == 422:
        return None

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any]:
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
    format_: LoanStatementFormat | Unset = LoanStatementFormat.JSON,
) -> Response[Any]:
    """A loan's statement

     The disbursement, every repayment with its allocation, and every late fee.

    Args:
        loan_id (int): Loan id
        format_ (LoanStatementFormat | Unset):  Default: LoanStatementFormat.JSON.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


async def asyncio_detailed(
    loan_id: int,
    *,
    client: AuthenticatedClient,
    format_: LoanStatementFormat | Unset = LoanStatementFormat.JSON,
) -> Response[Any]:
    """A loan's statement

     The disbursement, every repayment with its allocation, and every late fee.

    Args:
        loan_id (int): Loan id
        format_ (LoanStatementFormat | Unset):  Default: LoanStatementFormat.JSON.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)
