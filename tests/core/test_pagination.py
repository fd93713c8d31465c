"""Cursors are opaque and tamper-evident; a bad cursor is a 400, never a 500."""

import base64

import pytest

from corebank.core.errors import BadRequest
from corebank.core.pagination import CursorCodec


@pytest.fixture
def codec() -> CursorCodec:
    return CursorCodec("k" * 40)


def test_round_trip(codec: CursorCodec) -> None:
    cursor = codec.encode("users", {"id": 42})
    assert codec.decode("users", cursor) == {"id": 42}
    assert "42" not in cursor


@pytest.mark.parametrize("bad", ["", "abc", "!!!", "A" * 400, "eyJpZCI6IDF9"])
def test_garbage_is_refused(codec: CursorCodec, bad: str) -> None:
    with pytest.raises(BadRequest):
        codec.decode("users", bad)


def test_edited_position_is_refused(codec: CursorCodec) -> None:
    raw = bytearray(base64.urlsafe_b64decode(codec.encode("users", {"id": 42}) + "=="))
    raw[-3] = ord("9")
    edited = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(BadRequest):
        codec.decode("users", edited)


def test_cursor_of_another_list_is_refused(codec: CursorCodec) -> None:
    with pytest.raises(BadRequest):
        codec.decode("accounts", codec.encode("users", {"id": 1}))


def test_cursor_signed_with_another_key_is_refused(codec: CursorCodec) -> None:
    with pytest.raises(BadRequest):
        codec.decode("users", CursorCodec("z" * 40).encode("users", {"id": 1}))
