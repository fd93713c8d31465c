"""Cursor pagination: opaque, HMAC-signed cursors and keyset queries (`?limit=&cursor=`)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from corebank.core.errors import BadRequest

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_SIG_BYTES = 16

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as `?cursor=` for the next one."""

    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class PageParams:
    limit: int
    cursor: str | None


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=512, description="`next_cursor` of the previous page")
    ] = None,
) -> PageParams:
    """The standard `limit` and `cursor` query parameters."""
    return PageParams(limit=limit, cursor=cursor)


class CursorCodec:
    """Encodes a position as base64url(JSON) + a truncated HMAC, bound to one list's scope."""

    def __init__(self, key: str) -> None:
        self._key = hashlib.sha256(b"corebank-cursor:" + key.encode()).digest()

    def _sign(self, scope: str, body: bytes) -> bytes:
        return hmac.new(self._key, scope.encode() + b"\0" + body, "sha256").digest()[:_SIG_BYTES]

    def encode(self, scope: str, position: dict[str, Any]) -> str:
        body = orjson.dumps(position)
        raw = self._sign(scope, body) + body
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def decode(self, scope: str, cursor: str) -> dict[str, Any]:
        """The position in `cursor`; 400 if it was altered, truncated or made for another list."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise _bad_cursor() from None
        signature, body = raw[:_SIG_BYTES], raw[_SIG_BYTES:]
        if len(signature) < _SIG_BYTES or not hmac.compare_digest(
            signature, self._sign(scope, body)
        ):
            raise _bad_cursor()
        position = orjson.loads(body)
        if not isinstance(position, dict):
            raise _bad_cursor()
        return position


def _bad_cursor() -> BadRequest:
    return BadRequest("The cursor is not valid for this list.", type="invalid-cursor")


async def keyset_page(
    session: AsyncSession,
    stmt: Select[Any],
    *,
    id_column: InstrumentedAttribute[int],
    params: PageParams,
    codec: CursorCodec,
    scope: str,
    descending: bool = True,
    row: Callable[..., Any] | None = None,
) -> tuple[list[Any], str | None]:
    """Run `stmt` by `id_column` after the cursor's position; return rows and next cursor.

    Rows are the statement's first column (an ORM entity) unless `row` is given: then each
    result row's columns are passed to it (for statements that select plain columns).
    """
    if params.cursor is not None:
        after = codec.decode(scope, params.cursor).get("id")
        if not isinstance(after, int):
            raise _bad_cursor()
        stmt = stmt.where(id_column < after if descending else id_column > after)
    order = id_column.desc() if descending else id_column.asc()
    stmt = stmt.order_by(order).limit(params.limit + 1)
    if row is None:
        rows = list((await session.scalars(stmt)).all())
    else:
        rows = [row(*found) for found in await session.execute(stmt)]
    if len(rows) <= params.limit:
        return rows, None
    rows = rows[: params.limit]
    return rows, codec.encode(scope, {"id": getattr(rows[-1], id_column.key)})
