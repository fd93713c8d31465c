"""Credit bureaus: the external HTTP one (unstable, so guarded) and a development scorer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol

import httpx

from corebank.config import Settings
from corebank.core.resilience import CircuitBreaker, retry_async

MIN_SCORE, MAX_SCORE = 300, 850
RETRY_ATTEMPTS = 3


@dataclass(frozen=True)
class Applicant:
    customer_id: int
    first_name: str
    last_name: str
    date_of_birth: str | None
    national_id: str | None


class BureauError(Exception):
    """The bureau did not give a usable answer."""


class Bureau(Protocol):
    name: str

    async def score(self, applicant: Applicant) -> int: ...

    async def close(self) -> None: ...


class DevelopmentScorer:
    """The default without CREDIT_BUREAU_URL: a deterministic score derived from the record."""

    name = "development"

    async def score(self, applicant: Applicant) -> int:
        seed = f"{applicant.customer_id}:{applicant.last_name}:{applicant.date_of_birth}"
        digest = int(hashlib.sha256(seed.encode()).hexdigest()[:8], 16)
        return MIN_SCORE + digest % (MAX_SCORE - MIN_SCORE + 1)

    async def close(self) -> None:
        return None


def is_transient(exc: BaseException) -> bool:
    """Worth another try: timeouts, dropped connections and 5xx answers (scoring is a read)."""
    if isinstance(exc, httpx.TransportError):
        return True
    return isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code >= 500


def counts_against_bureau(exc: BaseException) -> bool:
    return is_transient(exc) or isinstance(exc, BureauError)


class HttpBureau:
    """POST {CREDIT_BUREAU_URL}/scores with timeouts, retries and a circuit breaker.

    The breaker wraps the whole retry loop, so one request's retries count once.
    """

    name = "http"

    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None):
        assert settings.credit_bureau_url
        headers = {"Accept": "application/json"}
        if settings.credit_bureau_api_key:
            headers["Authorization"] = f"Bearer {settings.credit_bureau_api_key.get_secret_value()}"
        timeout = settings.credit_bureau_timeout_seconds
        self._client = httpx.AsyncClient(
            base_url=settings.credit_bureau_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 2.0)),
            transport=transport,
        )
        self.breaker = CircuitBreaker(
            "credit_bureau",
            failure_threshold=settings.credit_breaker_failures,
            reset_timeout=settings.credit_breaker_reset_seconds,
            is_failure=counts_against_bureau,
        )
        self.retry_delay = 0.05

    async def score(self, applicant: Applicant) -> int:
        async with self.breaker:
            return await retry_async(
                lambda: self._ask(applicant),
                attempts=RETRY_ATTEMPTS,
                retry_on=is_transient,
                base_delay=self.retry_delay,
            )

    async def _ask(self, applicant: Applicant) -> int:
        response = await self._client.post(
            "/scores",
            json={
                "reference": str(applicant.customer_id),
                "first_name": applicant.first_name,
                "last_name": applicant.last_name,
                "date_of_birth": applicant.date_of_birth,
                "national_id": applicant.national_id,
            },
        )
        response.raise_for_status()
        try:
            score = response.json()["score"]
        except (ValueError, KeyError, TypeError):
            raise BureauError("malformed answer") from None
        if not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            raise BureauError("score out of range")
        return score

    async def close(self) -> None:
        await self._client.aclose()


def build_bureau(settings: Settings) -> Bureau:
    return HttpBureau(settings) if settings.credit_bureau_url else DevelopmentScorer()
