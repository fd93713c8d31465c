from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.recovery_codes_out import RecoveryCodesOut
from ...models.totp_confirm_request import TotpConfirmRequest
from ...types import Response


def _get_kwargs(
    *,
    body: TotpConfirmRequest,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/users/me/mfa/totp/confirm",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | RecoveryCodesOut | None:
    if response.status_code == 200:
        response_200 = RecoveryCodesOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

    if response.status_code == 403:
        response_403 = cast(Any, None)
        return response_403

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
) -> Response[Any | RecoveryCodesOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: TotpConfirmRequest,
) -> Response[Any | RecoveryCodesOut]:
    """Confirm TOTP enrolment

     Turn the second factor on with a current code and the account password (a wrong one
    counts toward the login lockout); answers 10 recovery codes, shown once. From now on login
    asks for a code after the password.

    Args:
        body (TotpConfirmRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | RecoveryCodesOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: TotpConfirmRequest,
) -> Any | RecoveryCodesOut | None:
    """Confirm TOTP enrolment

     Turn the second factor on with a current code and the account password (a wrong one
    counts toward the login lockout); answers 10 recovery codes, shown once. From now on login
    asks for a code after the password.

    Args:
        body (TotpConfirmRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | RecoveryCodesOut
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TotpConfirmRequest,
) -> Response[Any | RecoveryCodesOut]:
    """Confirm TOTP enrolment

     Turn the second factor on with a current code and the account password (a wrong one
    counts toward the login lockout); answers 10 recovery codes, shown once. From now on login
    asks for a code after the password.

    Args:
        body (TotpConfirmRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | RecoveryCodesOut]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: TotpConfirmRequest,
) -> Any | RecoveryCodesOut | None:
    """Confirm TOTP enrolment

     Turn the second factor on with a current code and the account password (a wrong one
    counts toward the login lockout); answers 10 recovery codes, shown once. From now on login
    asks for a code after the password.

    Args:
        body (TotpConfirmRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | RecoveryCodesOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
