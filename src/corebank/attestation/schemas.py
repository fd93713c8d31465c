"""Response bodies of the attestation endpoints.

The signed document is returned as the JSON it was signed as (a dict, not re-serialized
through a model that could reorder or reformat it); these models describe it in OpenAPI.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class InvariantOut(BaseModel):
    name: str
    ok: bool
    problems: int = Field(description="How many violations were found")
    examples: list[str] = Field(description="The first few violations, one line each")


class CurrencyOut(BaseModel):
    balances: str = Field(description="Sum of the accounts' stored balances")
    postings: str = Field(description="Sum of all postings (0 when the currency balances)")
    open_holds: str = Field(description="Sum of the open holds")


class JournalOut(BaseModel):
    entries: int
    last_entry_id: int | None
    postings: int


class AuditHeadOut(BaseModel):
    sealed_length: int
    head_hash: str
    pending: int = Field(description="Audit rows written but not sealed into the chain yet")


class CheckpointOut(BaseModel):
    mode: Literal["full", "incremental"]
    after_entry_id: int = Field(description="Entries after this id were checked in this run")
    through_entry_id: int = Field(description="The last entry id checked")
    entries_checked: int
    postings_checked: int
    checkpoint_entry_id: int = Field(
        description="Where the checkpoint stands after this run (it moves only when every "
        "invariant holds, and only over entries older than ATTESTATION_SETTLE_SECONDS)"
    )


class AttestationBody(BaseModel):
    version: Literal[1]
    issued_at: datetime
    schema_version: str | None
    ok: bool = Field(description="Every invariant holds")
    invariants: list[InvariantOut]
    currencies: dict[str, CurrencyOut]
    journal: JournalOut
    audit: AuditHeadOut
    checkpoint: CheckpointOut
    previous_hash: str | None = Field(
        description="SHA-256 (hex) of the newest stored attestation's signed document"
    )


class SignedAttestation(BaseModel):
    attestation: AttestationBody
    signature: str = Field(
        description="Ed25519 over the canonical bytes of `attestation`, base64url, no padding"
    )
    algorithm: Literal["EdDSA"]
    key_id: str


class StoredAttestationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    issued_at: datetime
    hash: str = Field(description="SHA-256 (hex) of the canonical bytes of `document`")
    previous_hash: str | None
    document: dict[str, Any] = Field(description="The signed document, as stored")


class PublicJwk(BaseModel):
    kty: Literal["OKP"]
    crv: Literal["Ed25519"]
    x: str
    kid: str
    use: Literal["sig"]
    alg: Literal["EdDSA"]
