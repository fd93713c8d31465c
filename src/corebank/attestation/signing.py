"""Keys, the public JWK and the canonical bytes that attestations are signed over.

Canonical bytes: JSON with keys sorted, no whitespace, UTF-8 (orjson with OPT_SORT_KEYS); money
is a decimal string and counts are integers, so there is no float to format differently. The
signature is Ed25519 (RFC 8032) over the canonical bytes of the `attestation` object, base64url
without padding. The key id is the first 16 characters of base64url(SHA-256(raw public key)).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any

import orjson
import structlog
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from corebank.config import Settings, parse_attestation_key

ALGORITHM = "EdDSA"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    """base64url with or without padding; ValueError if it is not."""
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None


def canonical(value: Any) -> bytes:
    """The canonical bytes of a JSON value: sorted keys, no whitespace, UTF-8."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def document_hash(document: dict[str, Any]) -> str:
    """SHA-256 (hex) of a whole signed document's canonical bytes: what the next one links to."""
    return hashlib.sha256(canonical(document)).hexdigest()


def raw_public_key(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return b64url(hashlib.sha256(raw_public_key(public)).digest())[:16]


def public_jwk(public: Ed25519PublicKey) -> dict[str, str]:
    """The public key as a JWK (RFC 8037), with its key id."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(raw_public_key(public)),
        "kid": key_id(public),
        "use": "sig",
        "alg": ALGORITHM,
    }


def public_key_from_jwk(jwk: dict[str, Any]) -> Ed25519PublicKey:
    """The Ed25519 public key of a JWK; ValueError if it is not one."""
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise ValueError("not an Ed25519 public JWK (kty OKP, crv Ed25519, x)")
    raw = unb64url(jwk["x"])
    if len(raw) != 32:
        raise ValueError("x must be 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def new_private_key_text() -> str:
    """A new ATTESTATION_SIGNING_KEY value: 32 random bytes, base64url."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        Encoding.Raw, PrivateFormat.Raw, NoEncryption()
    )
    return b64url(raw)


@dataclass(frozen=True)
class Signer:
    """Signs attestations with one Ed25519 key."""

    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def key_id(self) -> str:
        return key_id(self.public_key)

    @property
    def jwk(self) -> dict[str, str]:
        return public_jwk(self.public_key)

    def sign(self, attestation: dict[str, Any]) -> dict[str, Any]:
        """The signed document around `attestation`."""
        signature = self.private_key.sign(canonical(attestation))
        return {
            "attestation": attestation,
            "signature": b64url(signature),
            "algorithm": ALGORITHM,
            "key_id": self.key_id,
        }

    @classmethod
    def from_text(cls, value: str) -> Signer:
        raw = parse_attestation_key(value)
        return cls(Ed25519PrivateKey.from_private_bytes(raw))


def signer_from_settings(settings: Settings) -> Signer:
    """The configured key, or (development and test; production refuses to start without
    one) this process's generated key, with a warning: its attestations verify only against
    the public key this process serves."""
    configured = settings.attestation_signing_key
    if configured is not None and configured.get_secret_value().strip():
        return Signer.from_text(configured.get_secret_value())
    signer = _process_signer()
    # A logger of its own each time (not a cached module-level one): this runs once per app,
    # and whoever watches the startup (a test's capture) sees the line.
    structlog.get_logger(__name__).warning(
        "attestation.key_generated",
        key_id=signer.key_id,
        reason="ATTESTATION_SIGNING_KEY is not set; a key was generated for this process",
    )
    return signer


_PROCESS_SIGNER: list[Signer] = []


def _process_signer() -> Signer:
    if not _PROCESS_SIGNER:
        _PROCESS_SIGNER.append(Signer(Ed25519PrivateKey.generate()))
    return _PROCESS_SIGNER[0]


def verify_signature(document: dict[str, Any], public: Ed25519PublicKey) -> bool:
    """Whether `document`'s signature is the key's over its attestation's canonical bytes."""
    attestation, signature = document.get("attestation"), document.get("signature")
    if not isinstance(attestation, dict) or not isinstance(signature, str):
        return False
    if document.get("algorithm") != ALGORITHM:
        return False
    try:
        public.verify(unb64url(signature), canonical(attestation))
    except (InvalidSignature, ValueError):
        return False
    return True
