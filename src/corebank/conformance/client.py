"""The suite's HTTP client: one httpx client, polite under rate limits, and the expectations
every check uses (status, problem+json)."""

from __future__ import annotations

import time
from typing import Any

import httpx

from corebank.conformance.results import CheckFailed

API = "/api/v1"
PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_FIELDS = ("type", "title", "status", "detail", "instance", "correlation_id")
#: The longest `Retry-After` the suite waits out on a 429 (a moving window of a minute).
MAX_RETRY_AFTER_SECONDS = 65.0
MAX_RETRIES = 3


class Client:
    """Sends requests; a 429 is waited out (its `Retry-After`) and sent again, so the suite
    stays within a default deployment's rate limits instead of failing on them."""

    def __init__(
        self, base_url: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None
    ) -> None:
        base = base_url.rstrip("/")
        self.http = httpx.Client(base_url=base, timeout=timeout, transport=transport)
        self.waited_seconds = 0.0
        self.rate_limited: list[str] = []
        self.sent = 0

    def close(self) -> None:
        self.http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        sent_headers = dict(headers or {})
        if token is not None:
            sent_headers["Authorization"] = f"Bearer {token}"
        for _ in range(MAX_RETRIES):
            response = self._send(method, path, sent_headers, kwargs)
            wait = _retry_after(response)
            if wait is None:
                return response
            self.rate_limited.append(f"{method} {path}")
            self.waited_seconds += wait
            time.sleep(wait)
        return response

    def _send(
        self, method: str, path: str, headers: dict[str, str], kwargs: dict[str, Any]
    ) -> httpx.Response:
        self.sent += 1
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds to wait before sending a rate-limited request again, or None to keep it."""
    if response.status_code != 429:
        return None
    try:
        seconds = float(response.headers.get("retry-after", "1"))
    except ValueError:
        seconds = 1.0
    return min(max(seconds, 0.5), MAX_RETRY_AFTER_SECONDS)


def expect_status(response: httpx.Response, *statuses: int) -> httpx.Response:
    if response.status_code not in statuses:
        wanted = " or ".join(str(status) for status in statuses)
        raise CheckFailed(f"expected {wanted}{_problem_hint(response)}", response)
    return response


def expect_problem(
    response: httpx.Response, statuses: tuple[int, ...], problem_type: str | None = None
) -> dict[str, Any]:
    """The response is problem+json with the documented fields, one of `statuses` and (when
    given) the type ending in `/problem_type`; returns the body."""
    expect_status(response, *statuses)
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith(PROBLEM_CONTENT_TYPE):
        raise CheckFailed(f"content-type {content_type!r}, not {PROBLEM_CONTENT_TYPE}", response)
    body = json_of(response)
    missing = [name for name in PROBLEM_FIELDS if name not in body]
    if missing:
        raise CheckFailed(f"problem body lacks {', '.join(missing)}", response)
    if body["status"] != response.status_code:
        raise CheckFailed(f"body status {body['status']} differs from the HTTP status", response)
    if problem_type is not None and not str(body["type"]).endswith(f"/{problem_type}"):
        raise CheckFailed(f"problem type {body['type']!r}, expected …/{problem_type}", response)
    if body["correlation_id"] != response.headers.get("x-correlation-id"):
        raise CheckFailed("body correlation_id differs from X-Correlation-ID", response)
    return body


def json_of(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise CheckFailed("the body is not JSON", response) from None


def _problem_hint(response: httpx.Response) -> str:
    """`: <problem type>` of an unexpected answer, when it is problem+json."""
    if not response.headers.get("content-type", "").startswith(PROBLEM_CONTENT_TYPE):
        return ""
    try:
        return f" (got {str(response.json().get('type', '')).rsplit('/', 1)[-1]})"
    except ValueError:
        return ""
