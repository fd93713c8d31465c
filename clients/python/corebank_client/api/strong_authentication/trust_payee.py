from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.trusted_payee_create import TrustedPayeeCreate
from ...models.trusted_payee_out import TrustedPayeeOut
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TrustedPayeeCreate,
    x_sca_authorization: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_sca_authorization, Unset):
        headers["X-SCA-Authorization"] = x_sca_authorization

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/users/me/trusted-payees",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | TrustedPayeeOut | None:
    if response.status_code == 201:
        response_201 = TrustedPayeeOut.from_dict(response.json())

        return response_201

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
) -> Response[Any | TrustedPayeeOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: TrustedPayeeCreate,
    x_sca_authorization: None | str | Unset = UNSET,
) -> Response[Any | TrustedPayeeOut]:
    """Trust a payee

     Trust another customer's account. Needs a fresh factor: the first call answers 401
    `sca-required` with a challenge; complete it and repeat with the authorization code.

    Args:
        x_sca_authorization (None | str | Unset):
        body (TrustedPayeeCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | TrustedPayeeOut]
    """

    kwargs = _get_kwargs(
        body=body,
        x_sca_authorization=x_sca_authorization,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: TrustedPayeeCreate,
    x_sca_authorization: None | str | Unset = UNSET,
) -> Any | TrustedPayeeOut | None:
    """Trust a payee

     Trust another customer's account. Needs a fresh factor: the first call answers 401
    `sca-required` with a challenge; complete it and repeat with the authorization code.

    Args:
        x_sca_authorization (None | str | Unset):
        body (TrustedPayeeCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | TrustedPayeeOut
    """

    return sync_detailed(
        client=client,
        body=body,
        x_sca_authorization=x_sca_authorization,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TrustedPayeeCreate,
    x_sca_authorization: None | str | Unset = UNSET,
) -> Response[Any | TrustedPayeeOut]:
    """Trust a payee

     Trust another customer's account. Needs a fresh factor: the first call answers 401
    `sca-required` with a challenge; complete it and repeat with the authorization code.

    Args:
        x_sca_authorization (None | str | Unset):
        body (TrustedPayeeCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | TrustedPayeeOut]
    """

    kwargs = _get_kwargs(
        body=body,
        x_sca_authorization=x_sca_authorization,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: TrustedPayeeCreate,
    x_sca_authorization: None | str | Unset = UNSET,
) -> Any | TrustedPayeeOut | None:
    """Trust a payee

     Trust another customer's account. Needs a fresh factor: the first call answers 401
    `sca-required` with a challenge; complete it and repeat with the authorization code.

    Args:
        x_sca_authorization (None | str | Unset):
        body (TrustedPayeeCreate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | TrustedPayeeOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            x_sca_authorization=x_sca_authorization,
        )
    ).parsed
