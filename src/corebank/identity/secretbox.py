"""Second-factor secrets encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256), each stored
with the id of the key that sealed it, so keys can be rotated.

MFA_ENCRYPTION_KEY is `id:key` pairs separated by commas, the first the one that seals new
secrets, the rest still able to open old ones (a bare key is id "k1"). Rotation: put the new
key first, keep the old one after it until every secret has been re-sealed (a user's secret is
re-sealed when they next use it). Without the setting (development and tests only; production
refuses to start) the key is derived from the signing key.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from corebank.config import Settings, parse_mfa_keys

DEVELOPMENT_KEY_ID = "dev"


class SecretBox:
    """Seals and opens short secrets with named keys."""

    def __init__(self, keys: list[tuple[str, bytes]]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self.current_id = keys[0][0]
        self._raw = list(keys)
        self._keys = {key_id: Fernet(key) for key_id, key in keys}

    def keys(self) -> list[tuple[str, bytes]]:
        """The (id, key) pairs, current first (to build a box with one more in front)."""
        return list(self._raw)

    def seal(self, secret: str) -> tuple[str, str]:
        """(key id, ciphertext) of `secret` under the current key."""
        return self.current_id, self._keys[self.current_id].encrypt(secret.encode()).decode()

    def open(self, key_id: str, ciphertext: str) -> str:
        """The secret; ValueError when the key is unknown or the ciphertext was altered."""
        key = self._keys.get(key_id)
        if key is None:
            raise ValueError(f"no MFA key with id {key_id!r} is configured")
        try:
            return key.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise ValueError("the sealed secret does not match its key") from None

    def is_current(self, key_id: str) -> bool:
        return key_id == self.current_id


def box_from_settings(settings: Settings) -> SecretBox:
    if settings.mfa_encryption_key is not None:
        return SecretBox(parse_mfa_keys(settings.mfa_encryption_key.get_secret_value()))
    derived = hashlib.sha256(b"corebank-mfa:" + settings.signing_key.encode()).digest()
    return SecretBox([(DEVELOPMENT_KEY_ID, base64.urlsafe_b64encode(derived))])
