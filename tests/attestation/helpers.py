"""Helpers of the attestation tests: a small ledger through the API, and verification with
the `cryptography` library (as a third party would, not through corebank's own code)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.ledger.helpers import API, deposit, funded_account, open_account
from tests.support import login_as

ATTESTATION = f"{API}/ledger/attestation"
SERIES = f"{API}/ledger/attestations"
KEY = "/.well-known/corebank-attestation-key"


def third_party_verifies(document: dict[str, Any], jwk: dict[str, Any]) -> bool:
    """Verify by hand: Ed25519 over JSON with sorted keys and no whitespace."""
    x = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4))
    signature = document["signature"]
    raw_signature = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    message = orjson.dumps(document["attestation"], option=orjson.OPT_SORT_KEYS)
    try:
        Ed25519PublicKey.from_public_bytes(x).verify(raw_signature, message)
    except InvalidSignature:
        return False
    return True


async def small_ledger(client: httpx.AsyncClient, app: Any) -> dict[str, Any]:
    """Two customers' USD accounts with deposits and a transfer, a JPY deposit, and a hold."""
    _, staff = await login_as(app, "staff")
    first, _, _ = await funded_account(client, app, staff, "100.00")
    second, _, _ = await funded_account(client, app, staff, "20.50")
    yen, _, _ = await funded_account(client, app, staff, "500", currency="JPY")
    moved = await client.post(
        f"{API}/transfers",
        json={"from_account_id": first["id"], "to_account_id": second["id"], "amount": "7.25"},
        headers=staff,
    )
    assert moved.status_code == 201, moved.text
    held = await client.post(
        f"{API}/accounts/{first['id']}/holds", json={"amount": "3.00"}, headers=staff
    )
    assert held.status_code == 201, held.text
    return {"staff": staff, "first": first, "second": second, "yen": yen}


async def more_postings(client: httpx.AsyncClient, staff: dict[str, str], account_id: int) -> None:
    await deposit(client, staff, account_id, "1.00")
    await deposit(client, staff, account_id, "2.00")


__all__ = ["open_account"]
