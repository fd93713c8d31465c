"""Tests for the identifier, password and PIN policy."""

from __future__ import annotations

import dataclasses
import unicodedata
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corebank.identity.policy import (
    USERNAME_PATTERN,
    PasswordPolicy,
    canonical_identifier,
    common_passwords,
    pin_problems,
    validate_username,
)

STRONG = "Tr4ck-Hors3-Lamp"
MIN_LENGTH = "Password must be at least 8 characters long."
MAX_LENGTH = "Password must be at most 128 characters long."
LOWER = "Password must contain a lowercase letter."
UPPER = "Password must contain an uppercase letter."
DIGIT = "Password must contain a digit."
SPECIAL = "Password must contain a special (non-alphanumeric) character."
COMMON = "Password is too common; choose one that is harder to guess."
USERNAME = "Password must not contain your username."
EMAIL = "Password must not contain your e-mail address."
NAME = "Password must not contain your name."
BANK = "Password must not contain the bank's name."
PIN_FORMAT = "PIN must be 4 to 6 digits (0-9)."
PIN_REPEATED = "PIN must not be one digit repeated."
PIN_RUN = "PIN must not be a run of consecutive digits such as 1234 or 4321."

ALL_PASSWORD_MESSAGES = {
    MIN_LENGTH,
    MAX_LENGTH,
    LOWER,
    UPPER,
    DIGIT,
    SPECIAL,
    COMMON,
    USERNAME,
    EMAIL,
    NAME,
    BANK,
}

FULLWIDTH_ALICE = "\uff41\uff4c\uff49\uff43\uff45"
CYRILLIC_A = "\u0430"


@pytest.fixture
def policy() -> PasswordPolicy:
    """Return the default password policy."""
    return PasswordPolicy()


@pytest.mark.parametrize(
    "raw",
    [
        "alice",
        "ALICE",
        " alice ",
        "\talice\n",
        FULLWIDTH_ALICE,
        "alice\u200b",
        "\u200balice",
        "al\u200cice",
        "ali\u200dce",
        "alic\u2060e",
        "\ufeffalice",
        "\u200b alice \u200b",
        "ALI\u00adCE",
    ],
)
def test_canonical_identifier_variants_of_alice(raw: str) -> None:
    """Every spelling of alice maps to one lookup and lockout key."""
    assert canonical_identifier(raw) == "alice"


def test_canonical_identifier_emails() -> None:
    """E-mail addresses are canonicalized as a whole."""
    assert canonical_identifier(" Alice.Smith@Example.COM ") == "alice.smith@example.com"
    assert canonical_identifier("\uff21lice@example.com\u200b") == "alice@example.com"


def test_canonical_identifier_casefolds_beyond_lower() -> None:
    """Casefolding maps sharp s and long s the way lowercasing does not."""
    assert canonical_identifier("STRASSE") == canonical_identifier("stra\u00dfe")
    assert canonical_identifier("\u017fam") == "sam"
    assert canonical_identifier("\u212aate") == "kate"


def test_canonical_identifier_keeps_cyrillic_distinct() -> None:
    """NFKC does not fold Cyrillic lookalikes into Latin."""
    assert canonical_identifier(f"{CYRILLIC_A}lice") != "alice"


@given(st.text())
def test_canonical_identifier_is_idempotent(text: str) -> None:
    """Canonicalizing twice changes nothing."""
    once = canonical_identifier(text)
    assert canonical_identifier(once) == once


@given(st.text())
def test_canonical_identifier_has_no_format_chars_or_edge_space(text: str) -> None:
    """The canonical form has no Cf characters and no surrounding whitespace."""
    result = canonical_identifier(text)
    assert all(unicodedata.category(ch) != "Cf" for ch in result)
    assert result == result.strip()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice", "alice"),
        ("Alice_01", "alice_01"),
        ("j.doe-99", "j.doe-99"),
        ("abc", "abc"),
        ("a" * 32, "a" * 32),
        (FULLWIDTH_ALICE, "alice"),
        (" Bob\u200b ", "bob"),
        ("alice\n", "alice"),
    ],
)
def test_validate_username_accepts(raw: str, expected: str) -> None:
    """Allowed usernames come back in canonical form."""
    assert validate_username(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "ab",
        "a" * 33,
        "",
        "   ",
        f"{CYRILLIC_A}lice",
        "al ice",
        "alice@example.com",
        "caf\u00e9",
        "alice\nbob",
        "al\u200b",
        "\u00fcser",
        "x'; drop table users;--",
    ],
)
def test_validate_username_refuses(raw: str) -> None:
    """Anything outside the ASCII allowlist is refused."""
    with pytest.raises(ValueError, match="Username must be"):
        validate_username(raw)


def test_username_pattern_is_the_documented_allowlist() -> None:
    """The public pattern is the one from the design notes."""
    assert USERNAME_PATTERN == r"^[a-z0-9._-]{3,32}$"


def test_common_password_list_is_shipped_and_large() -> None:
    """The shipped list has at least 10,000 lowercase, deduplicated entries."""
    entries = common_passwords()
    assert len(entries) >= 10_000
    assert {"password", "123456", "qwerty", "p@ssw0rd", "password1!"} <= entries
    assert all(entry == entry.casefold() for entry in entries)


def test_common_password_file_format() -> None:
    """The file starts with a source comment and has no duplicate lines."""
    text = resources.files("corebank.identity").joinpath("common_passwords.txt").read_text("utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("#")
    assert "zxcvbn" in text.split("\n", 5)[1]
    words = [line for line in lines if not line.startswith("#")]
    assert len(words) == len(set(words)) == len(common_passwords())


def test_common_passwords_are_loaded_once() -> None:
    """The list is cached after the first load."""
    assert common_passwords() is common_passwords()


def test_strong_password_has_no_problems(policy: PasswordPolicy) -> None:
    """A long, varied, uncommon password passes every rule."""
    assert policy.problems(STRONG) == []


def test_defaults() -> None:
    """The defaults match the documented configuration."""
    policy = PasswordPolicy()
    assert (policy.min_length, policy.max_length) == (8, 128)
    assert policy.require_character_classes is True
    assert policy.bank_name == "corebank"


def test_policy_is_frozen(policy: PasswordPolicy) -> None:
    """The policy cannot be changed after creation."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.min_length = 1  # type: ignore[misc]


@pytest.mark.parametrize(("min_length", "max_length"), [(0, 10), (10, 9), (-1, 5)])
def test_inconsistent_configuration_is_refused(min_length: int, max_length: int) -> None:
    """Lengths must satisfy 1 <= min_length <= max_length."""
    with pytest.raises(ValueError, match="min_length"):
        PasswordPolicy(min_length=min_length, max_length=max_length)


def test_too_short(policy: PasswordPolicy) -> None:
    """Seven characters are refused with only the length message."""
    assert policy.problems("Tr4ck-H") == [MIN_LENGTH]


def test_exactly_min_length_is_accepted(policy: PasswordPolicy) -> None:
    """Eight characters are enough."""
    assert policy.problems("Tr4ck-Ho") == []


def test_too_long(policy: PasswordPolicy) -> None:
    """129 characters are refused, 128 are accepted."""
    assert policy.problems(STRONG + "x" * (129 - len(STRONG))) == [MAX_LENGTH]
    assert policy.problems(STRONG + "x" * (128 - len(STRONG))) == []


def test_length_counts_code_points_not_bytes(policy: PasswordPolicy) -> None:
    """Eight multibyte characters meet the minimum although they are 18 UTF-8 bytes."""
    password = "\u00e9\u00c9\u00e8\u00c83\u20ac\u00e0\u00c0"
    assert len(password.encode()) > 8
    assert policy.problems(password) == []
    assert policy.problems(password[:7]) == [MIN_LENGTH]


def test_length_is_counted_after_nfkc(policy: PasswordPolicy) -> None:
    """A ligature that NFKC expands counts as its expansion."""
    password = "\ufb03A1-xyz"
    assert len(password) == 7
    assert policy.problems(password) == []


@pytest.mark.parametrize(
    ("password", "missing"),
    [
        ("TR4CK-HORS3-LAMP", LOWER),
        ("tr4ck-hors3-lamp", UPPER),
        ("Track-Horse-Lamp", DIGIT),
        ("Tr4ckHors3Lamp", SPECIAL),
    ],
)
def test_each_character_class_individually(
    policy: PasswordPolicy, password: str, missing: str
) -> None:
    """Each missing character class yields exactly its own message."""
    assert policy.problems(password) == [missing]


def test_space_counts_as_special_character(policy: PasswordPolicy) -> None:
    """A space is a non-alphanumeric character."""
    assert policy.problems("Tr4ck Hors3 Lamp") == []


def test_non_ascii_letters_and_digits_count(policy: PasswordPolicy) -> None:
    """Unicode letters satisfy the letter classes."""
    assert policy.problems("\u00e9t\u00c9 br\u00fbl\u00e9 9!") == []


def test_character_classes_can_be_disabled() -> None:
    """Without composition rules a long lowercase passphrase is fine."""
    policy = PasswordPolicy(require_character_classes=False)
    assert policy.problems("tractor lamp horse staple") == []
    assert policy.problems("tractorlamphorsestaple") == []


def test_blocklist_stays_on_without_character_classes() -> None:
    """Disabling composition rules does not disable the blocklist or context words."""
    policy = PasswordPolicy(require_character_classes=False)
    assert policy.problems("password") == [COMMON]
    assert policy.problems("my corebank secret") == [BANK]


@pytest.mark.parametrize("password", ["Password1!", "P@ssw0rd", "PassWord1!", "p@SSw0rD1"])
def test_common_passwords_meeting_the_classes_are_refused(
    policy: PasswordPolicy, password: str
) -> None:
    """Well-known passwords are refused even when they satisfy every class rule."""
    assert policy.problems(password) == [COMMON]


def test_common_password_match_is_after_nfkc_and_case_insensitive(policy: PasswordPolicy) -> None:
    """Full-width and mixed-case spellings of a common password are still caught."""
    fullwidth = "".join(chr(ord(ch) + 0xFEE0) for ch in "Password1!")
    assert policy.problems(fullwidth) == [COMMON]
    assert policy.problems("Password1!\u200b") == [COMMON]


def test_common_password_is_whole_match_only(policy: PasswordPolicy) -> None:
    """A common password inside a longer passphrase is not a blocklist hit."""
    assert policy.problems("Password1! is my old horse lamp") == []


def test_several_failures_are_all_reported(policy: PasswordPolicy) -> None:
    """Every failed rule is reported together."""
    assert policy.problems("abc123") == [MIN_LENGTH, UPPER, SPECIAL, COMMON]
    assert policy.problems("abc") == [MIN_LENGTH, UPPER, DIGIT, SPECIAL]


def test_empty_password(policy: PasswordPolicy) -> None:
    """An empty password fails the length and every class rule."""
    assert policy.problems("") == [MIN_LENGTH, LOWER, UPPER, DIGIT, SPECIAL]


def test_length_classes_and_context_together(policy: PasswordPolicy) -> None:
    """Length, class and context messages combine in one list."""
    problems = policy.problems("corebank" * 17, username="bank")
    assert problems == [MAX_LENGTH, UPPER, DIGIT, SPECIAL, USERNAME, BANK]


def test_200_character_password_is_accepted(policy: PasswordPolicy) -> None:
    """Two hundred characters are fine when max_length allows them."""
    password = (STRONG * 13)[:200]
    assert len(password) == 200
    assert PasswordPolicy(max_length=256).problems(password) == []
    assert policy.problems(password) == [MAX_LENGTH]


def test_password_over_72_bytes_is_accepted(policy: PasswordPolicy) -> None:
    """A 73-byte password (past bcrypt's limit) is acceptable under Argon2."""
    password = (STRONG * 5)[:73]
    assert len(password.encode()) == 73
    assert policy.problems(password) == []


def test_multibyte_password_over_72_bytes_is_accepted(policy: PasswordPolicy) -> None:
    """Sixty-four multibyte characters (well over 72 bytes) are accepted."""
    password = "A1-" + "\u00e9" * 61
    assert len(password) == 64
    assert len(password.encode()) > 72
    assert policy.problems(password) == []


def test_normalize_returns_nfkc(policy: PasswordPolicy) -> None:
    """Composed and decomposed spellings normalize to one string."""
    composed = "Caf\u00e9-Lamp-42"
    decomposed = "Cafe\u0301-Lamp-42"
    assert composed != decomposed
    assert policy.normalize(composed) == policy.normalize(decomposed) == composed


def test_normalize_folds_compatibility_forms(policy: PasswordPolicy) -> None:
    """Compatibility characters fold to their plain forms."""
    assert policy.normalize("\uff34r4ck\u2460") == "Tr4ck1"
    assert policy.normalize("\ufb01sh") == "fish"


def test_normalize_keeps_case_and_spaces(policy: PasswordPolicy) -> None:
    """Normalization never changes case or trims what was typed."""
    assert policy.normalize("  Tr4ck Lamp  ") == "  Tr4ck Lamp  "


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    """Normalizing twice changes nothing."""
    policy = PasswordPolicy()
    assert policy.normalize(policy.normalize(text)) == policy.normalize(text)


@given(st.text(max_size=200))
def test_problems_are_fixed_messages(text: str) -> None:
    """Messages come from a fixed set, so they never echo the password."""
    problems = PasswordPolicy().problems(text, username="someone", email="x@y.z", full_name="A B")
    assert set(problems) <= ALL_PASSWORD_MESSAGES
    assert len(problems) == len(set(problems))


def test_username_inside_password(policy: PasswordPolicy) -> None:
    """The username is refused wherever it appears, in any case."""
    assert policy.problems("xX-Alice99-Xx", username="alice") == [USERNAME]
    assert policy.problems("xX-ALICE99-Xx", username=FULLWIDTH_ALICE) == [USERNAME]
    assert policy.problems("xX-Bob99-Xx", username="alice") == []


def test_email_local_part_inside_password(policy: PasswordPolicy) -> None:
    """The e-mail local part is refused wherever it appears, in any case."""
    assert policy.problems("My-JSmith-77", email="jsmith@example.com") == [EMAIL]
    assert policy.problems("My-Example-77", email="jsmith@example.com") == []


def test_short_email_local_part_is_ignored(policy: PasswordPolicy) -> None:
    """A local part under three characters is too short to be a context word."""
    assert policy.problems("Tr4ck-Hors3-Jo", email="jo@example.com") == []
    assert policy.problems("Tr4ck-Hors3-Joe", email="joe@example.com") == [EMAIL]


def test_full_name_parts_inside_password(policy: PasswordPolicy) -> None:
    """Any word of the full name of three or more characters is refused."""
    assert policy.problems("Hello-Smith-42", full_name="Jane Smith") == [NAME]
    assert policy.problems("Hello-Jane-42", full_name="Jane Smith") == [NAME]
    assert policy.problems("Hello-Li-Tr4ck", full_name="Li Wu") == []


def test_bank_name_inside_password(policy: PasswordPolicy) -> None:
    """The bank's name is refused without any user context."""
    assert policy.problems("My-CoreBank-42") == [BANK]
    assert policy.problems("My-C\u200boreBank-42") == [BANK]
    assert PasswordPolicy(bank_name="acme").problems("My-Acme-42") == [BANK]


def test_all_context_words_at_once(policy: PasswordPolicy) -> None:
    """Each context rule reports separately."""
    problems = policy.problems(
        "alice-jsmith-Jane-corebank-1",
        username="alice",
        email="jsmith@example.com",
        full_name="Jane Doe",
    )
    assert problems == [USERNAME, EMAIL, NAME, BANK]


def test_context_word_hidden_with_zero_width_chars(policy: PasswordPolicy) -> None:
    """Invisible characters do not hide a context word."""
    assert policy.problems("xX-Al\u200bice99-Xx", username="alice") == [USERNAME]


@pytest.mark.parametrize("pin", ["4821", "902731", "13579", "0192", "2468", "1243", "112233"])
def test_good_pins(pin: str) -> None:
    """Non-trivial 4 to 6 digit PINs are accepted."""
    assert pin_problems(pin) == []


@pytest.mark.parametrize(
    "pin",
    [
        "",
        "123",
        "1234567",
        "12a4",
        "\u0664\u0665\u0666\u0667",
        "48 21",
        "4821\n",
        "+482",
        "\uff14821",
    ],
)
def test_pin_format(pin: str) -> None:
    """Only 4 to 6 ASCII digits are a PIN."""
    assert pin_problems(pin) == [PIN_FORMAT]


@pytest.mark.parametrize("pin", ["0000", "1111", "99999", "111111"])
def test_pin_single_repeated_digit(pin: str) -> None:
    """A single repeated digit is refused."""
    assert pin_problems(pin) == [PIN_REPEATED]


@pytest.mark.parametrize("pin", ["1234", "0123", "3456", "56789", "123456", "456789"])
def test_pin_ascending_run(pin: str) -> None:
    """A step-1 ascending run is refused."""
    assert pin_problems(pin) == [PIN_RUN]


@pytest.mark.parametrize("pin", ["4321", "3210", "98765", "987654", "543210"])
def test_pin_descending_run(pin: str) -> None:
    """A step-1 descending run is refused."""
    assert pin_problems(pin) == [PIN_RUN]


@pytest.mark.parametrize("pin", ["8901", "7890", "2109"])
def test_pin_wrap_around_is_not_a_run(pin: str) -> None:
    """Runs do not wrap around from 9 to 0."""
    assert pin_problems(pin) == []
