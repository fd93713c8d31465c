"""The one exception every refused call raises: the API's RFC 9457 problem details, typed."""

from __future__ import annotations

from typing import Any

import httpx


class ProblemError(Exception):
    """A 4xx or 5xx answer from corebank (`application/problem+json`).

    `type`, `title`, `detail`, `correlation_id` and `errors` (each `{"loc", "msg", "type"}`,
    for validation) are the body's; `status` is the HTTP status. An answer that is not a
    problem document (a proxy's HTML page) still raises this, its text as the detail.
    """

    def __init__(
        self,
        *,
        status: int,
        type: str,
        title: str,
        detail: str | None = None,
        correlation_id: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        instance: str | None = None,
        retry_after: str | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {detail}" if detail else f"{status} {title}")
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.correlation_id = correlation_id
        self.errors = errors or []
        self.instance = instance
        self.retry_after = retry_after

    @classmethod
    def from_response(cls, response: httpx.Response) -> ProblemError:
        """The error a read response stands for."""
        body = _problem_body(response)
        return cls(
            status=response.status_code,
            type=str(body.get("type") or "about:blank"),
            title=str(body.get("title") or response.reason_phrase),
            detail=_text_or_none(body.get("detail")),
            correlation_id=_text_or_none(body.get("correlation_id"))
            or response.headers.get("X-Correlation-ID"),
            errors=[dict(error) for error in body.get("errors") or [] if isinstance(error, dict)],
            instance=_text_or_none(body.get("instance")),
            retry_after=response.headers.get("Retry-After"),
        )


def _problem_body(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {"detail": response.text[:500] or None}
    return data if isinstance(data, dict) else {}


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
