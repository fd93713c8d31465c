"""Webhook signatures, Stripe style: `Corebank-Signature: t=<unix>,v1=<hex HMAC-SHA256>`.

The HMAC key is the endpoint's secret (UTF-8) and the signed message is `f"{t}."` followed by
the exact body bytes. Receivers verify it with the recipe in docs/events.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Corebank-Signature"
EVENT_ID_HEADER = "Corebank-Event-Id"
EVENT_TYPE_HEADER = "Corebank-Event-Type"
DELIVERY_ID_HEADER = "Corebank-Delivery-Id"
SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh signing secret (256 bits of randomness)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of `timestamp.body` under `secret`."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the Corebank-Signature header for one delivery attempt."""
    return f"t={timestamp},v1={compute_signature(secret, timestamp, body)}"
