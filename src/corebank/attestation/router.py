"""GET /ledger/attestation (signed, admins or public), GET /ledger/attestations (the stored
series, admins) and the public key at /.well-known/corebank-attestation-key."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from corebank.attestation import service
from corebank.attestation.context import AttestationContext
from corebank.attestation.schemas import PublicJwk, SignedAttestation, StoredAttestationOut
from corebank.core.api import API_PREFIX
from corebank.core.deps import CursorCodecDep, PageDep
from corebank.core.errors import Forbidden
from corebank.core.pagination import Page
from corebank.identity.deps import AdminPrincipal, PastedToken, Token, current_principal
from corebank.identity.principal import Principal
from corebank.models.user import Role

router = APIRouter(prefix=f"{API_PREFIX}/ledger", tags=["attestation"])
well_known_router = APIRouter(tags=["attestation"])

KEY_PATH = "/.well-known/corebank-attestation-key"
KEY_CACHE_CONTROL = "public, max-age=3600"


async def attestation_context(request: Request) -> AttestationContext:
    return request.app.state.container.attestation


AttestationDep = Annotated[AttestationContext, Depends(attestation_context)]
FullQuery = Annotated[
    bool,
    Query(
        description="Check the whole journal from the first entry and rebuild the checkpoint "
        "(admins only; slower)"
    ),
]


async def attestation_reader(
    request: Request, token: Token, pasted: PastedToken, full: FullQuery = False
) -> Principal | None:
    """Anyone when ATTESTATION_PUBLIC is on (except for a full check); otherwise admins. The
    admin behind a token sent to a public deployment is still known (their read moves the
    checkpoint); an anonymous reader is None."""
    if request.app.state.container.settings.attestation_public and not full:
        if token is None and pasted is None:
            return None
        principal = await current_principal(request, token, pasted)
        return principal if principal.role == Role.admin else None
    principal = await current_principal(request, token, pasted)
    if principal.role != Role.admin:
        raise Forbidden("Your role does not allow this.", type="insufficient-role")
    return principal


@router.get(
    "/attestation",
    summary="Signed attestation of the ledger",
    response_model=SignedAttestation,
    responses={
        401: {"description": "Not authenticated (unless ATTESTATION_PUBLIC is on)"},
        403: {"description": "Admins only (a full check: admins only, even when public)"},
        422: {"description": "Validation failed (`full` is not a boolean)"},
        503: {"description": "The database is unavailable"},
    },
)
async def get_attestation(
    reader: Annotated[Principal | None, Depends(attestation_reader)],
    ctx: AttestationDep,
    full: FullQuery = False,
) -> JSONResponse:
    """Every ledger invariant's result, per-currency totals, the journal's and the audit
    chain's heads and the schema version, signed with Ed25519.

    Verify the signature over the canonical bytes of `attestation` (JSON, keys sorted, no
    whitespace, UTF-8) with the key at /.well-known/corebank-attestation-key
    (docs/ledger.md). The invariants are checked from the stored checkpoint (`checkpoint.mode`
    says which entries this run covered); `full=true` checks the whole journal. An admin's
    read moves the checkpoint; an anonymous one (ATTESTATION_PUBLIC) writes nothing.
    """
    document = await service.attest(ctx, full=full, move_checkpoint=reader is not None)
    return JSONResponse(document, headers={"Cache-Control": "no-store"})


@router.get(
    "/attestations",
    summary="Stored attestations",
    response_model=Page[StoredAttestationOut],
    responses={
        400: {"description": "The cursor is not valid for this list"},
        401: {"description": "Not authenticated"},
        403: {"description": "Admins only"},
        422: {"description": "Validation failed"},
    },
)
async def list_attestations(
    _: AdminPrincipal, ctx: AttestationDep, page: PageDep, codec: CursorCodecDep
) -> Page[StoredAttestationOut]:
    """The series written by the worker (ATTESTATION_INTERVAL_SECONDS) and `corebank attest
    write`, newest first; each document's `previous_hash` is the `hash` of the one before."""
    return await service.list_attestations(ctx, codec=codec, page=page)


@well_known_router.get(
    KEY_PATH,
    summary="Attestation public key (JWK)",
    response_model=PublicJwk,
)
async def attestation_key(ctx: AttestationDep) -> Any:
    """The Ed25519 public key that verifies attestations, as a JWK (public, cacheable)."""
    return JSONResponse(ctx.signer.jwk, headers={"Cache-Control": KEY_CACHE_CONTROL})
