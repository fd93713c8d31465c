from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.signed_attestation import SignedAttestation
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    full: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["full"] = full

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/v1/ledger/attestation",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | SignedAttestation | None:
    if response.status_code == 200:
        response_200 = SignedAttestation.from_dict(response.json())

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

    if response.status_code == 503:
        response_503 = cast(Any, None)
        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | SignedAttestation]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    full: bool | Unset = False,
) -> Response[Any | SignedAttestation]:
    """Signed attestation of the ledger

     Every ledger invariant's result, per-currency totals, the journal's and the audit
    chain's heads and the schema version, signed with Ed25519.

    Verify the signature over the canonical bytes of `attestation` (JSON, keys sorted, no
    whitespace, UTF-8) with the key at /.well-known/corebank-attestation-key
    (docs/ledger.md). The invariants are checked from the stored checkpoint (`checkpoint.mode`
    says which entries this run covered); `full=true` checks the whole journal. An admin's
    read moves the checkpoint; an anonymous one (ATTESTATION_PUBLIC) writes nothing.

    Args:
        full (bool | Unset): Check the whole journal from the first entry and rebuild the
            checkpoint (admins only; slower) Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | SignedAttestation]
    """

    kwargs = _get_kwargs(
        full=full,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    full: bool | Unset = False,
) -> Any | SignedAttestation | None:
    """Signed attestation of the ledger

     Every ledger invariant's result, per-currency totals, the journal's and the audit
    chain's heads and the schema version, signed with Ed25519.

    Verify the signature over the canonical bytes of `attestation` (JSON, keys sorted, no
    whitespace, UTF-8) with the key at /.well-known/corebank-attestation-key
    (docs/ledger.md). The invariants are checked from the stored checkpoint (`checkpoint.mode`
    says which entries this run covered); `full=true` checks the whole journal. An admin's
    read moves the checkpoint; an anonymous one (ATTESTATION_PUBLIC) writes nothing.

    Args:
        full (bool | Unset): Check the whole journal from the first entry and rebuild the
            checkpoint (admins only; slower) Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | SignedAttestation
    """

    return sync_detailed(
        client=client,
        full=full,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    full: bool | Unset = False,
) -> Response[Any | SignedAttestation]:
    """Signed attestation of the ledger

     Every ledger invariant's result, per-currency totals, the journal's and the audit
    chain's heads and the schema version, signed with Ed25519.

    Verify the signature over the canonical bytes of `attestation` (JSON, keys sorted, no
    whitespace, UTF-8) with the key at /.well-known/corebank-attestation-key
    (docs/ledger.md). The invariants are checked from the stored checkpoint (`checkpoint.mode`
    says which entries this run covered); `full=true` checks the whole journal. An admin's
    read moves the checkpoint; an anonymous one (ATTESTATION_PUBLIC) writes nothing.

    Args:
        full (bool | Unset): Check the whole journal from the first entry and rebuild the
            checkpoint (admins only; slower) Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | SignedAttestation]
    """

    kwargs = _get_kwargs(
        full=full,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    full: bool | Unset = False,
) -> Any | SignedAttestation | None:
    """Signed attestation of the ledger

     Every ledger invariant's result, per-currency totals, the journal's and the audit
    chain's heads and the schema version, signed with Ed25519.

    Verify the signature over the canonical bytes of `attestation` (JSON, keys sorted, no
    whitespace, UTF-8) with the key at /.well-known/corebank-attestation-key
    (docs/ledger.md). The invariants are checked from the stored checkpoint (`checkpoint.mode`
    says which entries this run covered); `full=true` checks the whole journal. An admin's
    read moves the checkpoint; an anonymous one (ATTESTATION_PUBLIC) writes nothing.

    Args:
        full (bool | Unset): Check the whole journal from the first entry and rebuild the
            checkpoint (admins only; slower) Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | SignedAttestation
    """

    return (
        await asyncio_detailed(
            client=client,
            full=full,
        )
    ).parsed
