"""Search text: what `GET /customers?q=` matches, folded so case and accents do not matter.

Both sides go through `fold`: Unicode case folding, compatibility decomposition, removal of
the combining diacritics of Latin, Greek and Cyrillic (so "José" = "jose", "Ёлкин" = "елкин"),
then NFC again (so Hangul, kana and Indic scripts keep their own marks and stay searchable).
The phone is stored as its E.164 digits; a query that looks like a phone number is reduced to
its digits, so "(202) 555-0143" finds "+12025550143".
"""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_LENGTH = 100
#: Shorter terms cannot use a trigram index (see docs/customers.md).
MIN_INDEXED_LENGTH = 3

_DIACRITIC_RANGES = (
    (0x0300, 0x036F),  # Combining Diacritical Marks
    (0x1AB0, 0x1AFF),  # ... Extended
    (0x1DC0, 0x1DFF),  # ... Supplement
    (0x20D0, 0x20FF),  # ... for Symbols
    (0xFE20, 0xFE2F),  # Combining Half Marks
)
_PHONE_LIKE = re.compile(r"[0-9+()./\s-]*[0-9][0-9+()./\s-]*")
_FIELD_SEPARATOR = "\n"


def _is_diacritic(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _DIACRITIC_RANGES)


def fold(text: str) -> str:
    """`text` without case or accents, in one canonical form."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not _is_diacritic(char))
    return unicodedata.normalize("NFC", stripped)


def search_text(*, first_name: str, last_name: str, email: str, phone: str) -> str:
    """The value of `customers.search_text` for a record."""
    fields = (fold(f"{first_name} {last_name}"), fold(email), phone.lstrip("+"))
    return _FIELD_SEPARATOR.join(fields)


def search_term(q: str) -> str | None:
    """The folded term to look for, None for a blank query; ValueError for a control character."""
    q = q.strip()
    if not q:
        return None
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in q):
        raise ValueError("the search text must not contain control characters")
    if _PHONE_LIKE.fullmatch(q):
        return "".join(char for char in q if char.isdigit())
    return fold(q)
