"""JWT access and refresh tokens: one algorithm, every claim required and checked."""

from __future__ import annotations

import functools
import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import jwt

from corebank.core.errors import Unauthorized

ALGORITHM = "HS256"
ISSUER = "corebank"
AUDIENCE = "corebank-api"
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti", "sid", "typ", "role"]
LEEWAY_SECONDS = 5
#: Signed tokens whose signature and fixed claims were checked, kept by their exact text.
VERIFIED_CACHE_SIZE = 4096


class TokenType(StrEnum):
    access = "access"
    refresh = "refresh"


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    session_id: int
    role: str
    type: TokenType
    jti: str
    expires_at: datetime


class TokenService:
    """Issues and verifies tokens signed with the configured key."""

    def __init__(self, key: str) -> None:
        self._key = key
        self._signed_claims = functools.lru_cache(maxsize=VERIFIED_CACHE_SIZE)(self._decode)

    def issue(
        self,
        *,
        user_id: int,
        session_id: int,
        role: str,
        token_type: TokenType,
        now: datetime,
        lifetime: timedelta,
    ) -> tuple[str, datetime]:
        """A signed token and its expiry."""
        expires = now + lifetime
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": str(user_id),
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(expires.timestamp()),
            "jti": secrets.token_urlsafe(16),
            "sid": session_id,
            "typ": token_type.value,
            "role": role,
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM), expires

    def verify(self, token: str, *, expected: TokenType, now: datetime) -> TokenClaims:
        """The token's claims; 401 for any forged, expired, premature or misused token."""
        try:
            return self._checked(self._signed_claims(token), expected=expected, now=now)
        except (jwt.PyJWTError, KeyError, TypeError, ValueError):
            raise Unauthorized(
                "The token is invalid or has expired.", type="invalid-token"
            ) from None

    def peek_user_id(self, token: str) -> int | None:
        """The user id of a genuinely signed, unexpired access token, without the session checks.

        Only for keying rate limits: authentication itself goes through `verify` and the DB.
        """
        try:
            claims = self._signed_claims(token)
            if int(claims["exp"]) <= time.time() or claims["typ"] != TokenType.access.value:
                return None
            return int(claims["sub"])
        except (jwt.PyJWTError, KeyError, TypeError, ValueError):
            return None

    def _decode(self, token: str) -> Mapping[str, object]:
        """The claims of a token signed with our key, algorithm, issuer and audience, with every
        required claim present; the time claims are checked by the caller, against its clock.

        Called through `_signed_claims`, an LRU of VERIFIED_CACHE_SIZE: the outcome for a given
        token text never changes, and PyJWT's checks of the key and the token cost more CPU than
        the rest of an authenticated read. A forged or edited token is different text and is
        checked in full; failures are not kept.
        """
        return jwt.decode(
            token,
            self._key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={
                "require": REQUIRED_CLAIMS,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )

    @staticmethod
    def _checked(
        claims: Mapping[str, object], *, expected: TokenType, now: datetime
    ) -> TokenClaims:
        # exp/nbf are checked against our clock (replaceable in tests), not the OS clock.
        stamp = now.timestamp()
        if int(claims["exp"]) + LEEWAY_SECONDS <= stamp:  # type: ignore[call-overload]
            raise ValueError("expired")
        if int(claims.get("nbf", claims["iat"])) - LEEWAY_SECONDS > stamp:  # type: ignore[call-overload]
            raise ValueError("not yet valid")
        if claims["typ"] != expected.value:
            raise ValueError("wrong token type")
        sid = claims["sid"]
        if not isinstance(sid, int) or isinstance(sid, bool):
            raise ValueError("bad sid")
        return TokenClaims(
            user_id=int(str(claims["sub"])),
            session_id=sid,
            role=str(claims["role"]),
            type=expected,
            jti=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo),  # type: ignore[call-overload]
        )


def token_digest(token: str) -> str:
    """SHA-256 of a token: what the database stores instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()
