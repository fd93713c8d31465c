"""Human-facing account numbers: 10 digits plus 2 ISO 7064 MOD 97-10 check digits."""

import random
import re
import secrets

BODY_LENGTH = 10
NUMBER_LENGTH = BODY_LENGTH + 2

_NUMBER_RE = re.compile(r"[0-9]{12}", re.ASCII)
_LOWEST_BODY = 10 ** (BODY_LENGTH - 1)
_BODY_CHOICES = 10**BODY_LENGTH - _LOWEST_BODY


def check_digits(body: str) -> str:
    """Return the two MOD 97-10 check digits for a string of digits."""
    return f"{98 - int(body + '00') % 97:02d}"


def generate_account_number(rng: random.Random | None = None) -> str:
    """Generate a random 12-digit account number whose first digit is not 0."""
    offset = secrets.randbelow(_BODY_CHOICES) if rng is None else rng.randrange(_BODY_CHOICES)
    body = str(_LOWEST_BODY + offset)
    return body + check_digits(body)


def is_valid_account_number(text: str) -> bool:
    """Return whether text is exactly 12 ASCII digits with correct check digits."""
    if not isinstance(text, str) or _NUMBER_RE.fullmatch(text) is None:
        return False
    return check_digits(text[:BODY_LENGTH]) == text[BODY_LENGTH:]
