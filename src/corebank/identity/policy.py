"""Identifier, password and PIN policy: pure functions with no framework or database code."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import pairwise

USERNAME_PATTERN = r"^[a-z0-9._-]{3,32}$"
COMMON_PASSWORDS_RESOURCE = "common_passwords.txt"
MIN_CONTEXT_WORD_LENGTH = 3
PIN_PATTERN = r"[0-9]{4,6}"

_USERNAME_RE = re.compile(USERNAME_PATTERN)
_PIN_RE = re.compile(PIN_PATTERN)
_NAME_SPLIT_RE = re.compile(r"[\W_]+")


def _without_format_chars(text: str) -> str:
    """Drop invisible format characters (Unicode category Cf such as U+200B and U+FEFF)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def canonical_identifier(text: str) -> str:
    """Return the one canonical form of an e-mail or username for lookup, uniqueness and lockout."""
    text = _without_format_chars(unicodedata.normalize("NFKC", text)).strip()
    return unicodedata.normalize("NFKC", text.casefold())


def validate_username(text: str) -> str:
    """Return the canonical username or raise ValueError if it breaks the ASCII allowlist."""
    username = canonical_identifier(text)
    if _USERNAME_RE.fullmatch(username) is None:
        raise ValueError("Username must be 3 to 32 characters from a-z, 0-9, '.', '_' and '-'.")
    return username


@cache
def common_passwords() -> frozenset[str]:
    """Load the shipped common-password list once, skipping '#' comment lines."""
    source = resources.files("corebank.identity").joinpath(COMMON_PASSWORDS_RESOURCE)
    lines = (line.strip() for line in source.read_text(encoding="utf-8").splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))


def _comparable(text: str) -> str:
    """Return the case- and invisible-character-insensitive form used for blocklist checks."""
    return _without_format_chars(unicodedata.normalize("NFKC", text)).casefold()


def _email_local_part(email: str) -> str:
    """Return the part of an e-mail address before its last '@' (all of it without one)."""
    local, _, tail = canonical_identifier(email).rpartition("@")
    return local or tail


def _name_parts(full_name: str) -> list[str]:
    """Split a full name into its words."""
    return [part for part in _NAME_SPLIT_RE.split(canonical_identifier(full_name)) if part]


def _contains_any(password: str, words: Iterable[str]) -> bool:
    """Tell whether the comparable password contains any context word long enough to count."""
    comparable_words = (_comparable(word) for word in words)
    return any(
        len(word) >= MIN_CONTEXT_WORD_LENGTH and word in password for word in comparable_words
    )


@dataclass(frozen=True)
class PasswordPolicy:
    """Password rules; every failed rule is reported, the blocklist checks are always on."""

    min_length: int = 8
    max_length: int = 128
    require_character_classes: bool = True
    bank_name: str = "corebank"

    def __post_init__(self) -> None:
        """Refuse an inconsistent configuration."""
        if not 1 <= self.min_length <= self.max_length:
            raise ValueError("PasswordPolicy needs 1 <= min_length <= max_length.")

    def normalize(self, password: str) -> str:
        """Return the NFKC form of the password, which is what gets hashed and verified."""
        return unicodedata.normalize("NFKC", password)

    def problems(
        self,
        password: str,
        *,
        email: str | None = None,
        username: str | None = None,
        full_name: str | None = None,
    ) -> list[str]:
        """Return a message for every rule the password fails; an empty list means acceptable."""
        normalized = self.normalize(password)
        return [
            *self._length_problems(normalized),
            *self._class_problems(normalized),
            *self._common_problems(normalized),
            *self._context_problems(normalized, email, username, full_name),
        ]

    def _length_problems(self, password: str) -> Iterator[str]:
        """Check the length in code points."""
        if len(password) < self.min_length:
            yield f"Password must be at least {self.min_length} characters long."
        if len(password) > self.max_length:
            yield f"Password must be at most {self.max_length} characters long."

    def _class_problems(self, password: str) -> Iterator[str]:
        """Check the lowercase, uppercase, digit and special character rules."""
        if not self.require_character_classes:
            return
        if not any(ch.islower() for ch in password):
            yield "Password must contain a lowercase letter."
        if not any(ch.isupper() for ch in password):
            yield "Password must contain an uppercase letter."
        if not any(ch.isdigit() for ch in password):
            yield "Password must contain a digit."
        if all(ch.isalnum() for ch in password):
            yield "Password must contain a special (non-alphanumeric) character."

    def _common_problems(self, password: str) -> Iterator[str]:
        """Check the password against the common and breached password list."""
        if _comparable(password) in common_passwords():
            yield "Password is too common; choose one that is harder to guess."

    def _context_problems(
        self,
        password: str,
        email: str | None,
        username: str | None,
        full_name: str | None,
    ) -> Iterator[str]:
        """Check that the password contains no username, e-mail, name or bank name."""
        comparable = _comparable(password)
        if username and _contains_any(comparable, [canonical_identifier(username)]):
            yield "Password must not contain your username."
        if email and _contains_any(comparable, [_email_local_part(email)]):
            yield "Password must not contain your e-mail address."
        if full_name and _contains_any(comparable, _name_parts(full_name)):
            yield "Password must not contain your name."
        if _contains_any(comparable, [self.bank_name]):
            yield "Password must not contain the bank's name."


def _is_consecutive_run(digits: str, step: int) -> bool:
    """Tell whether each digit is the previous one plus step."""
    return all(int(b) - int(a) == step for a, b in pairwise(digits))


def pin_problems(pin: str) -> list[str]:
    """Return a message for every rule a transaction PIN fails; an empty list means acceptable."""
    if _PIN_RE.fullmatch(pin) is None:
        return ["PIN must be 4 to 6 digits (0-9)."]
    problems = []
    if len(set(pin)) == 1:
        problems.append("PIN must not be one digit repeated.")
    if _is_consecutive_run(pin, 1) or _is_consecutive_run(pin, -1):
        problems.append("PIN must not be a run of consecutive digits such as 1234 or 4321.")
    return problems
