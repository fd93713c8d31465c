"""What the session adds to every request, and when it refreshes: shared by the sync and the
async transport (transport.py)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import httpx

REFRESH_PATH = "/api/v1/auth/refresh"
#: The POSTs that move money and take an `Idempotency-Key` (tests/test_client_drift.py checks
#: this list against the OpenAPI document).
MONEY_POSTS: tuple[str, ...] = (
    "/api/v1/accounts/{account_id}/deposits",
    "/api/v1/accounts/{account_id}/holds",
    "/api/v1/accounts/{account_id}/withdrawals",
    "/api/v1/holds/{hold_id}/capture",
    "/api/v1/holds/{hold_id}/void",
    "/api/v1/loans/{loan_id}/disburse",
    "/api/v1/loans/{loan_id}/repayments",
    "/api/v1/transactions",
    "/api/v1/transactions/{transaction_id}/reverse",
    "/api/v1/transfers",
)
#: A 401 from these is an answer about the credentials sent, not an expired access token.
_NEVER_REFRESHED = frozenset({REFRESH_PATH, "/api/v1/auth/login", "/api/v1/auth/login/mfa"})


def _template_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^/]*?\\\}", "[^/]+", re.escape(template)) + "$")


_MONEY_PATTERNS = tuple(_template_pattern(template) for template in MONEY_POSTS)


@dataclass
class Tokens:
    """The session's current pair; the transport replaces both on every refresh (rotation)."""

    access_token: str | None = None
    refresh_token: str | None = None

    def clear(self) -> None:
        self.access_token = None
        self.refresh_token = None


class SessionPolicy:
    """Bearer token and idempotency key on the way out; a refresh decision on a 401."""

    def __init__(self, base_url: httpx.URL, tokens: Tokens) -> None:
        self.base_url = base_url
        self.tokens = tokens

    def prepare(self, request: httpx.Request) -> str | None:
        """Add the current bearer token, and a fresh Idempotency-Key to a money POST that has
        none. Returns the access token sent, to tell later whether it has changed since."""
        token = self.tokens.access_token
        if token is not None:
            request.headers["Authorization"] = f"Bearer {token}"
        if self._is_money_post(request) and "Idempotency-Key" not in request.headers:
            request.headers["Idempotency-Key"] = str(uuid.uuid4())
        return token

    def should_refresh(self, request: httpx.Request, response: httpx.Response) -> bool:
        return (
            response.status_code == 401
            and self.tokens.refresh_token is not None
            and self._api_path(request) not in _NEVER_REFRESHED
        )

    def refresh_request(self) -> httpx.Request:
        return httpx.Request(
            "POST",
            self.base_url.join(self.base_url.path.rstrip("/") + REFRESH_PATH),
            json={"refresh_token": self.tokens.refresh_token},
        )

    def accept_refresh(self, response: httpx.Response) -> bool:
        """Keep the new pair of a successful refresh; forget both tokens after a refused one."""
        if response.status_code != 200:
            self.tokens.clear()
            return False
        pair = response.json()
        self.tokens.access_token = pair["access_token"]
        self.tokens.refresh_token = pair["refresh_token"]
        return True

    def _is_money_post(self, request: httpx.Request) -> bool:
        if request.method != "POST":
            return False
        path = self._api_path(request)
        return any(pattern.match(path) for pattern in _MONEY_PATTERNS)

    def _api_path(self, request: httpx.Request) -> str:
        """The request's path below the base URL (which may sit under a proxy's prefix)."""
        prefix = self.base_url.path.rstrip("/")
        path = request.url.path
        return path[len(prefix) :] if prefix and path.startswith(prefix) else path
