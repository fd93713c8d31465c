from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.posted_transaction_out import PostedTransactionOut
from ...models.transaction_in import TransactionIn
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: TransactionIn,
    idempotency_key: None | str | Unset = UNSET,
    x_transaction_pin: None | str | Unset = UNSET,
    x_sca_authorization: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    if not isinstance(x_transaction_pin, Unset):
        headers["X-Transaction-PIN"] = x_transaction_pin

    if not isinstance(x_sca_authorization, Unset):
        headers["X-SCA-Authorization"] = x_sca_authorization

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/v1/transactions",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | PostedTransactionOut | None:
    if response.status_code == 201:
        response_201 = PostedTransactionOut.from_dict(response.json())

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
) -> Response[Any | PostedTransactionOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: TransactionIn,
    idempotency_key: None | str | Unset = UNSET,
    x_transaction_pin: None | str | Unset = UNSET,
    x_sca_authorization: None | str | Unset = UNSET,
) -> Response[Any | PostedTransactionOut]:
    """Post a multi-leg transaction

     Post 2 to 64 legs `{from_account_id, to_account_id, amount}` as one journal entry
    (type `multi_leg`): every leg, or none. Each leg's two accounts hold one currency; a set
    may mix currencies (each balances on its own; `totals` gives the sum per currency).

    Staff may debit any customer account; a customer only their own (and sends
    X-Transaction-PIN once one is set). Limits are checked on the balances after all legs,
    whatever their order. A refusal names each leg that caused it and moves nothing. With SCA
    on, a customer paying an account that is not theirs, without the right X-Transaction-PIN
    or an exemption for every payee, gets 401 `sca-required` with a challenge covering every
    leg; complete it (`POST /api/v1/auth/challenges/{id}`) and retry the identical set with
    its code in X-SCA-Authorization.

    Args:
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        x_transaction_pin (None | str | Unset): A customer's transaction PIN
        x_sca_authorization (None | str | Unset): The authorization code of a completed strong-
            authentication challenge
        body (TransactionIn): Several legs posted as one journal entry: all of them, or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PostedTransactionOut]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        x_transaction_pin=x_transaction_pin,
        x_sca_authorization=x_sca_authorization,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: TransactionIn,
    idempotency_key: None | str | Unset = UNSET,
    x_transaction_pin: None | str | Unset = UNSET,
    x_sca_authorization: None | str | Unset = UNSET,
) -> Any | PostedTransactionOut | None:
    """Post a multi-leg transaction

     Post 2 to 64 legs `{from_account_id, to_account_id, amount}` as one journal entry
    (type `multi_leg`): every leg, or none. Each leg's two accounts hold one currency; a set
    may mix currencies (each balances on its own; `totals` gives the sum per currency).

    Staff may debit any customer account; a customer only their own (and sends
    X-Transaction-PIN once one is set). Limits are checked on the balances after all legs,
    whatever their order. A refusal names each leg that caused it and moves nothing. With SCA
    on, a customer paying an account that is not theirs, without the right X-Transaction-PIN
    or an exemption for every payee, gets 401 `sca-required` with a challenge covering every
    leg; complete it (`POST /api/v1/auth/challenges/{id}`) and retry the identical set with
    its code in X-SCA-Authorization.

    Args:
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        x_transaction_pin (None | str | Unset): A customer's transaction PIN
        x_sca_authorization (None | str | Unset): The authorization code of a completed strong-
            authentication challenge
        body (TransactionIn): Several legs posted as one journal entry: all of them, or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PostedTransactionOut
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
        x_transaction_pin=x_transaction_pin,
        x_sca_authorization=x_sca_authorization,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: TransactionIn,
    idempotency_key: None | str | Unset = UNSET,
    x_transaction_pin: None | str | Unset = UNSET,
    x_sca_authorization: None | str | Unset = UNSET,
) -> Response[Any | PostedTransactionOut]:
    """Post a multi-leg transaction

     Post 2 to 64 legs `{from_account_id, to_account_id, amount}` as one journal entry
    (type `multi_leg`): every leg, or none. Each leg's two accounts hold one currency; a set
    may mix currencies (each balances on its own; `totals` gives the sum per currency).

    Staff may debit any customer account; a customer only their own (and sends
    X-Transaction-PIN once one is set). Limits are checked on the balances after all legs,
    whatever their order. A refusal names each leg that caused it and moves nothing. With SCA
    on, a customer paying an account that is not theirs, without the right X-Transaction-PIN
    or an exemption for every payee, gets 401 `sca-required` with a challenge covering every
    leg; complete it (`POST /api/v1/auth/challenges/{id}`) and retry the identical set with
    its code in X-SCA-Authorization.

    Args:
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        x_transaction_pin (None | str | Unset): A customer's transaction PIN
        x_sca_authorization (None | str | Unset): The authorization code of a completed strong-
            authentication challenge
        body (TransactionIn): Several legs posted as one journal entry: all of them, or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | PostedTransactionOut]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
        x_transaction_pin=x_transaction_pin,
        x_sca_authorization=x_sca_authorization,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: TransactionIn,
    idempotency_key: None | str | Unset = UNSET,
    x_transaction_pin: None | str | Unset = UNSET,
    x_sca_authorization: None | str | Unset = UNSET,
) -> Any | PostedTransactionOut | None:
    """Post a multi-leg transaction

     Post 2 to 64 legs `{from_account_id, to_account_id, amount}` as one journal entry
    (type `multi_leg`): every leg, or none. Each leg's two accounts hold one currency; a set
    may mix currencies (each balances on its own; `totals` gives the sum per currency).

    Staff may debit any customer account; a customer only their own (and sends
    X-Transaction-PIN once one is set). Limits are checked on the balances after all legs,
    whatever their order. A refusal names each leg that caused it and moves nothing. With SCA
    on, a customer paying an account that is not theirs, without the right X-Transaction-PIN
    or an exemption for every payee, gets 401 `sca-required` with a challenge covering every
    leg; complete it (`POST /api/v1/auth/challenges/{id}`) and retry the identical set with
    its code in X-SCA-Authorization.

    Args:
        idempotency_key (None | str | Unset): Required for customers: a retry with the same key
            and body replays the first outcome (24 h) and moves nothing
        x_transaction_pin (None | str | Unset): A customer's transaction PIN
        x_sca_authorization (None | str | Unset): The authorization code of a completed strong-
            authentication challenge
        body (TransactionIn): Several legs posted as one journal entry: all of them, or none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | PostedTransactionOut
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
            x_transaction_pin=x_transaction_pin,
            x_sca_authorization=x_sca_authorization,
        )
    ).parsed
