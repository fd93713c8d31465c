"""structlog setup: one pipeline for our logs, uvicorn's and SQLAlchemy's; secrets redacted."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

import orjson
import structlog
from opentelemetry import trace
from structlog.types import EventDict, Processor, WrappedLogger

from corebank.core.context import correlation_id_var

REDACTED = "[REDACTED]"
_SECRET_KEY = re.compile(
    r"pass(word)?|passwd|secret|token|authorization|cookie|^pin$|_pin$|pin_|api_key|apikey"
    r"|national_id|credential|signature",
    re.IGNORECASE,
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_ASSIGNMENT = re.compile(
    r"(?i)\b(password|passwd|pwd|secret|token|api_key|pin)(\W{0,3}\s*[=:]\s*\W{0,2})[^\s'\",;&]+"
)


def _redact_value(key: str | None, value: Any) -> Any:
    if key is not None and _SECRET_KEY.search(key):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: _redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(None, v) for v in value]
    if isinstance(value, str):
        value = _BEARER.sub(r"\1 " + REDACTED, value)
        return _ASSIGNMENT.sub(r"\1\2" + REDACTED, _JWT.sub(REDACTED, value))
    return value


def redact_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Replace passwords, tokens, PINs and credentials wherever they appear in a log line."""
    return {
        k: _redact_value(k, v) if k != "event" else _redact_value(None, v)
        for k, v in event_dict.items()
    }


def redact_exception(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """After the traceback is rendered: redact it too (every other field already was)."""
    if "exception" in event_dict:
        event_dict["exception"] = _redact_value(None, event_dict["exception"])
    return event_dict


def _json(value: Any, **_: Any) -> str:
    """orjson (several times faster than the json module); json for what it refuses."""
    try:
        return orjson.dumps(value, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
    except TypeError:  # e.g. an integer beyond 64 bits
        return json.dumps(value, default=str)


def add_correlation_id(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Stamp every line with the current request's correlation id."""
    correlation_id = correlation_id_var.get()
    if correlation_id is not None:
        event_dict.setdefault("correlation_id", correlation_id)
    return event_dict


def add_trace_ids(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Put the current trace and span ids (when tracing is on) next to the correlation id."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict.setdefault("trace_id", format(context.trace_id, "032x"))
        event_dict.setdefault("span_id", format(context.span_id, "016x"))
    return event_dict


def _escape_control_characters(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Console output: keep user-supplied newlines from starting a fake log line."""
    return {
        k: v.encode("unicode_escape").decode("ascii")
        if isinstance(v, str) and k != "exception"
        else v
        for k, v in event_dict.items()
    }


def drop_color_message(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """uvicorn passes a copy of its message with terminal colour codes as an extra field."""
    event_dict.pop("color_message", None)
    return event_dict


def configure_logging(*, level: str = "INFO", fmt: str = "json") -> None:
    """Route structlog and stdlib logging through one processor chain and renderer."""
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        add_correlation_id,
        add_trace_ids,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        drop_color_message,
        redact_secrets,
    ]
    renderer: Processor
    tail: list[Processor]
    if fmt == "json":
        renderer = structlog.processors.JSONRenderer(serializer=_json)
        tail = [
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            ),
            redact_exception,
        ]
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
        tail = [structlog.processors.format_exc_info, redact_secrets, _escape_control_characters]

    structlog.configure(
        # filter_by_level first: a line below the level costs one check, not the whole chain.
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *tail, renderer],
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", "alembic"):
        named = logging.getLogger(name)
        named.handlers[:] = []
        named.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our middleware writes the access line
    # alembic: its INFO lines only under `corebank migrate` (core.migrate.reporting).
    for noisy in ("sqlalchemy.engine", "httpx", "httpcore", "aiosqlite", "asyncio", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
