from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.approval_out import ApprovalOut
from ...models.decision_in import DecisionIn
from ...models.loan_out import LoanOut
from ...types import Response


def _get_kwargs(
    loan_id: int,
    *,
    body: DecisionIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/loans/{loan_id}/approve".format(
            loan_id=quote(str(loan_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ApprovalOut | LoanOut | None:
    if response.status_code == 200:
        response_200 = LoanOut.from_dict(response.json())

        return response_200

    if response.status_code == 202:
        response_202 = ApprovalOut.from_dict(response.json())

        return response_202

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
) -> Response[Any | ApprovalOut | LoanOut]:
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
    body: DecisionIn,
) -> Response[Any | ApprovalOut | LoanOut]:
    """Approve an application

     Needs KYC `verified`, a credit check no older than CREDIT_CHECK_MAX_AGE_DAYS (one is run
    now through the bureau when stale), and the customer's open principal within their limit.
    Above the approval threshold the answer is 202 with an approval request: a second staff
    member approves it (docs/approvals.md) and the loan is approved then.

    Args:
        loan_id (int): Loan id
        body (DecisionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApprovalOut | LoanOut]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    loan_id: int,
    *,
    client: AuthenticatedClient,
    body: DecisionIn,
) -> Any | ApprovalOut | LoanOut | None:
    """Approve an application

     Needs KYC `verified`, a credit check no older than CREDIT_CHECK_MAX_AGE_DAYS (one is run
    now through the bureau when stale), and the customer's open principal within their limit.
    Above the approval threshold the answer is 202 with an approval request: a second staff
    member approves it (docs/approvals.md) and the loan is approved then.

    Args:
        loan_id (int): Loan id
        body (DecisionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApprovalOut | LoanOut
    """

    return sync_detailed(
        loan_id=loan_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    loan_id: int,
    *,
    client: AuthenticatedClient,
    body: DecisionIn,
) -> Response[Any | ApprovalOut | LoanOut]:
    """Approve an application

     Needs KYC `verified`, a credit check no older than CREDIT_CHECK_MAX_AGE_DAYS (one is run
    now through the bureau when stale), and the customer's open principal within their limit.
    Above the approval threshold the answer is 202 with an approval request: a second staff
    member approves it (docs/approvals.md) and the loan is approved then.

    Args:
        loan_id (int): Loan id
        body (DecisionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ApprovalOut | LoanOut]
    """

    kwargs = _get_kwargs(
        loan_id=loan_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    loan_id: int,
    *,
    client: AuthenticatedClient,
    body: DecisionIn,
) -> Any | ApprovalOut | LoanOut | None:
    """Approve an application

     Needs KYC `verified`, a credit check no older than CREDIT_CHECK_MAX_AGE_DAYS (one is run
    now through the bureau when stale), and the customer's open principal within their limit.
    Above the approval threshold the answer is 202 with an approval request: a second staff
    member approves it (docs/approvals.md) and the loan is approved then.

    Args:
        loan_id (int): Loan id
        body (DecisionIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ApprovalOut | LoanOut
    """

    return (
        await asyncio_detailed(
            loan_id=loan_id,
            client=client,
            body=body,
        )
    ).parsed
