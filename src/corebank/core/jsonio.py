"""Fast JSON encoding shared by responses and logs."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


def dumps(value: Any) -> bytes:
    """Encode to compact UTF-8 JSON; non-finite floats become null instead of failing."""
    return orjson.dumps(value, default=str)


class JSONBody(Response):
    """A JSON response rendered with orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)
