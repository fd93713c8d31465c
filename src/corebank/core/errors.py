"""Domain errors and their one mapping to RFC 9457 problem details."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from corebank.core.context import correlation_id_var
from corebank.core.jsonio import dumps

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://corebank.dev/problems/"

log = structlog.get_logger(__name__)


class CorebankError(Exception):
    """Base of every error a service may raise; the handler turns it into problem+json."""

    status: ClassVar[int] = 500
    type: ClassVar[str] = "internal-error"
    title: ClassVar[str] = "Internal server error"

    def __init__(
        self,
        detail: str | None = None,
        *,
        type: str | None = None,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.problem_type = type or self.type
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


class BadRequest(CorebankError):
    status, type, title = 400, "bad-request", "Bad request"


class Unauthorized(CorebankError):
    status, type, title = 401, "unauthorized", "Not authenticated"

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(CorebankError):
    status, type, title = 403, "forbidden", "Forbidden"


class NotFound(CorebankError):
    status, type, title = 404, "not-found", "Not found"


class Conflict(CorebankError):
    status, type, title = 409, "conflict", "Conflict"


class PayloadTooLarge(CorebankError):
    status, type, title = 413, "payload-too-large", "Request body too large"


class ValidationFailed(CorebankError):
    """A request that is well-formed but breaks a rule (422)."""

    status, type, title = 422, "validation-error", "Validation failed"

    def __init__(
        self,
        detail: str | None = None,
        *,
        errors: Sequence[Mapping[str, Any]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(detail, **kwargs)
        if errors:
            self.extra["errors"] = [dict(e) for e in errors]


class RateLimited(CorebankError):
    status, type, title = 429, "rate-limited", "Too many requests"


class ServiceUnavailable(CorebankError):
    status, type, title = 503, "service-unavailable", "Service unavailable"


def field_error(loc: Sequence[str | int], msg: str, type: str = "value_error") -> dict[str, Any]:
    """One entry of a problem's `errors` list."""
    return {"loc": list(loc), "msg": msg, "type": type}


def problem_response(
    request_path: str,
    *,
    status: int,
    type: str,
    title: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> Response:
    """Build a problem+json response carrying the request's correlation id."""
    body: dict[str, Any] = {
        "type": type if type.startswith(("http", "about:")) else PROBLEM_TYPE_BASE + type,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request_path,
        "correlation_id": correlation_id_var.get(),
    }
    body.update(extra or {})
    return Response(
        content=dumps(body),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_CONTENT_TYPE,
    )


_HTTP_TYPES = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Not authenticated"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("payload-too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("rate-limited", "Too many requests"),
}


async def _corebank_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, CorebankError)
    if exc.status >= 500:
        log.warning("request.failed", error_type=exc.problem_type, detail=exc.detail)
    return problem_response(
        request.url.path,
        status=exc.status,
        type=exc.problem_type,
        title=exc.title,
        detail=exc.detail,
        headers=exc.headers,
        extra=exc.extra,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    type_, title = _HTTP_TYPES.get(exc.status_code, ("http-error", "HTTP error"))
    detail = exc.detail if isinstance(exc.detail, str) else title
    return problem_response(
        request.url.path,
        status=exc.status_code,
        type=type_,
        title=title,
        detail=detail,
        headers=exc.headers,
    )


def _clean_validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Keep only loc, msg and type: never echo `input` or `ctx`, which may hold secrets."""
    return [
        field_error(
            [str(p) if not isinstance(p, int) else p for p in e.get("loc", ())],
            str(e.get("msg", "invalid value")),
            str(e.get("type", "value_error")),
        )
        for e in errors
    ]


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = _clean_validation_errors(exc.errors())
    if any(e["type"] == "json_invalid" for e in errors):
        return problem_response(
            request.url.path,
            status=400,
            type="malformed-json",
            title="Malformed JSON",
            detail="The request body is not valid JSON.",
        )
    return problem_response(
        request.url.path,
        status=422,
        type="validation-error",
        title="Validation failed",
        detail="The request did not pass validation.",
        extra={"errors": errors},
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every error the app can raise to problem+json (500s are handled by the middleware)."""
    app.add_exception_handler(CorebankError, _corebank_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
