"""Tests for 12-digit account numbers with ISO 7064 MOD 97-10 check digits."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corebank.accounts.numbers import (
    check_digits,
    generate_account_number,
    is_valid_account_number,
)

SAMPLES = 400


def _samples() -> list[str]:
    """Return reproducible generated account numbers."""
    rng = random.Random(7064)
    return [generate_account_number(rng) for _ in range(SAMPLES)]


def test_check_digits_match_iban_mod_97_10() -> None:
    body = "1234567890"
    check = check_digits(body)
    assert int(body + check) % 97 == 1
    assert check == f"{98 - int(body + '00') % 97:02d}"


def test_check_digits_are_zero_padded() -> None:
    bodies = (f"{n:010d}" for n in range(1_000_000_000, 1_000_001_000))
    assert any(check_digits(body).startswith("0") for body in bodies)
    assert all(len(check_digits(f"{n:010d}")) == 2 for n in range(1_000_000_000, 1_000_000_300))


def test_generated_numbers_are_valid_and_well_formed() -> None:
    for number in _samples():
        assert len(number) == 12 and number.isascii() and number.isdigit()
        assert number[0] != "0"
        assert is_valid_account_number(number)


def test_default_generator_uses_secrets() -> None:
    numbers = {generate_account_number() for _ in range(200)}
    assert len(numbers) == 200
    assert all(is_valid_account_number(n) and n[0] != "0" for n in numbers)


def test_seeded_generator_is_reproducible() -> None:
    assert _samples()[:5] == _samples()[:5]


def test_every_single_digit_substitution_is_rejected() -> None:
    for number in _samples():
        for index, original in enumerate(number):
            for digit in "0123456789":
                if digit != original:
                    mutated = number[:index] + digit + number[index + 1 :]
                    assert not is_valid_account_number(mutated), (number, mutated)


def test_every_adjacent_transposition_is_rejected() -> None:
    for number in _samples():
        for index in range(len(number) - 1):
            left, right = number[index], number[index + 1]
            if left != right:
                swapped = number[:index] + right + left + number[index + 2 :]
                assert not is_valid_account_number(swapped), (number, swapped)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "12345678901",
        "1234567890123",
        "12345678 9012",
        " 123456789012",
        "123456789012\n",
        "12345678901a",
        "1234-5678-9012",
        "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662",
        "\uff11" * 12,
    ],
)
def test_malformed_numbers_are_rejected(bad: str) -> None:
    assert not is_valid_account_number(bad)


@pytest.mark.parametrize("bad", [None, 123456789012, b"123456789012"])
def test_non_strings_are_rejected(bad: object) -> None:
    assert not is_valid_account_number(bad)  # type: ignore[arg-type]


def test_equivalent_check_value_outside_range_is_rejected() -> None:
    body = next(str(n) for n in range(10**9, 10**10) if check_digits(str(n)) == "02")
    assert int(body + "99") % 97 == 1
    assert is_valid_account_number(body + "02")
    assert not is_valid_account_number(body + "99")


@given(st.text(max_size=14))
def test_validation_never_raises(text: str) -> None:
    assert isinstance(is_valid_account_number(text), bool)
