from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.login_data_body import LoginDataBody
from ...models.login_json_login_request import LoginJsonLoginRequest
from ...models.mfa_ticket_out import MfaTicketOut
from ...models.token_pair import TokenPair
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: LoginJsonLoginRequest | LoginDataBody | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/auth/login",
    }

    if isinstance(body, LoginJsonLoginRequest):
        _kwargs["json"] = body.to_dict()

        headers["Content-Type"] = "application/json"
    if isinstance(body, LoginDataBody):
        _kwargs["data"] = body.to_dict()
        headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | MfaTicketOut | TokenPair | None:
    if response.status_code == 200:

        def _parse_response_200(data: object) -> MfaTicketOut | TokenPair:
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = TokenPair.from_dict(data)

                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            if not isinstance(data, dict):
                raise TypeError()
            response_200_type_1 = MfaTicketOut.from_dict(data)

            return response_200_type_1

        response_200 = _parse_response_200(response.json())

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

    if response.status_code == 429:
        response_429 = cast(Any, None)
        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | MfaTicketOut | TokenPair]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: LoginJsonLoginRequest | LoginDataBody | Unset = UNSET,
) -> Response[Any | MfaTicketOut | TokenPair]:
    """Log in

     Exchange an e-mail or username and password for an access and a refresh token.

    Accepts the OAuth2 password form (so Swagger's Authorize works) or JSON
    `{"username", "password"}`. First-party clients only (RFC 9700 forbids the password
    grant for third parties). A user with a second factor gets an MFA ticket instead of
    tokens: send it with a code to `POST /api/v1/auth/login/mfa`.

    Args:
        body (LoginJsonLoginRequest):
        body (LoginDataBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | MfaTicketOut | TokenPair]
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
    client: AuthenticatedClient | Client,
    body: LoginJsonLoginRequest | LoginDataBody | Unset = UNSET,
) -> Any | MfaTicketOut | TokenPair | None:
    """Log in

     Exchange an e-mail or username and password for an access and a refresh token.

    Accepts the OAuth2 password form (so Swagger's Authorize works) or JSON
    `{"username", "password"}`. First-party clients only (RFC 9700 forbids the password
    grant for third parties). A user with a second factor gets an MFA ticket instead of
    tokens: send it with a code to `POST /api/v1/auth/login/mfa`.

    Args:
        body (LoginJsonLoginRequest):
        body (LoginDataBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | MfaTicketOut | TokenPair
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: LoginJsonLoginRequest | LoginDataBody | Unset = UNSET,
) -> Response[Any | MfaTicketOut | TokenPair]:
    """Log in

     Exchange an e-mail or username and password for an access and a refresh token.

    Accepts the OAuth2 password form (so Swagger's Authorize works) or JSON
    `{"username", "password"}`. First-party clients only (RFC 9700 forbids the password
    grant for third parties). A user with a second factor gets an MFA ticket instead of
    tokens: send it with a code to `POST /api/v1/auth/login/mfa`.

    Args:
        body (LoginJsonLoginRequest):
        body (LoginDataBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | MfaTicketOut | TokenPair]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: LoginJsonLoginRequest | LoginDataBody | Unset = UNSET,
) -> Any | MfaTicketOut | TokenPair | None:
    """Log in

     Exchange an e-mail or username and password for an access and a refresh token.

    Accepts the OAuth2 password form (so Swagger's Authorize works) or JSON
    `{"username", "password"}`. First-party clients only (RFC 9700 forbids the password
    grant for third parties). A user with a second factor gets an MFA ticket instead of
    tokens: send it with a code to `POST /api/v1/auth/login/mfa`.

    Args:
        body (LoginJsonLoginRequest):
        body (LoginDataBody):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | MfaTicketOut | TokenPair
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
