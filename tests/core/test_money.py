"""Tests for integer minor-unit money parsing, formatting and the Pydantic amount types."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from corebank.core.money import (
    CURRENCY_MINOR_UNITS,
    MAX_MINOR_UNITS,
    AmountStr,
    PositiveAmountStr,
    format_amount,
    minor_units,
    parse_amount,
)

BAD_SYNTAX = [
    True,
    False,
    5,
    5.0,
    None,
    Decimal("5"),
    b"5",
    "",
    " 5 ",
    " 5",
    "5 ",
    "5\n",
    "1e3",
    "1E+2",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "\u0663",
    "1\u0663",
    "\uff15",
    "+5",
    ".5",
    "5.",
    "-",
    "--5",
    "1,000",
    "1_000",
    "0x10",
    "1.2.3",
]


class Payment(BaseModel):
    """A request body using the amount types."""

    amount: AmountStr
    positive: PositiveAmountStr = "1"


def test_minor_units_of_known_currencies() -> None:
    expected = {"USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "CHF": 2, "CAD": 2, "AUD": 2}
    expected |= {"KWD": 3, "BHD": 3, "KRW": 0, "CLF": 4}
    for code, digits in expected.items():
        assert minor_units(code) == digits


@pytest.mark.parametrize("code", ["XXX", "usd", "", "US", "USDX", None])
def test_unknown_currency_is_refused(code: object) -> None:
    with pytest.raises(ValueError, match="unknown currency"):
        minor_units(code)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown currency"):
        parse_amount("1", code)  # type: ignore[arg-type]


def test_currency_table_is_well_formed() -> None:
    for code, digits in CURRENCY_MINOR_UNITS.items():
        assert len(code) == 3 and code.isascii() and code.isupper()
        assert digits in (0, 2, 3, 4)


@pytest.mark.parametrize(
    ("text", "currency", "expected"),
    [
        ("100.5", "USD", 10050),
        ("100.50", "USD", 10050),
        ("100", "USD", 10000),
        ("0.01", "USD", 1),
        ("007.10", "EUR", 710),
        ("500", "JPY", 500),
        ("1.234", "KWD", 1234),
        ("1.2", "BHD", 1200),
        ("10000000000000.00", "USD", MAX_MINOR_UNITS),
        ("1000000000000000", "JPY", MAX_MINOR_UNITS),
    ],
)
def test_parse_valid_amounts(text: str, currency: str, expected: int) -> None:
    assert parse_amount(text, currency) == expected


@pytest.mark.parametrize("bad", BAD_SYNTAX)
def test_parse_refuses_bad_syntax(bad: object) -> None:
    with pytest.raises(ValueError, match="decimal string"):
        parse_amount(bad, "USD")


@pytest.mark.parametrize(
    ("text", "currency"),
    [("0.001", "USD"), ("1.5", "JPY"), ("1.0", "JPY"), ("1.2345", "KWD"), ("1.000", "EUR")],
)
def test_parse_refuses_too_many_decimals(text: str, currency: str) -> None:
    with pytest.raises(ValueError, match=f"{currency} amounts have at most"):
        parse_amount(text, currency)


@pytest.mark.parametrize("text", ["0", "0.00", "-0", "-1", "-0.01"])
def test_parse_refuses_non_positive_by_default(text: str) -> None:
    with pytest.raises(ValueError, match="amount must be greater than zero"):
        parse_amount(text, "USD")


def test_parse_allow_zero_and_negative() -> None:
    assert parse_amount("0.00", "USD", allow_zero=True) == 0
    assert parse_amount("-0.05", "USD", allow_negative=True) == -5
    assert parse_amount("-0", "USD", allow_zero=True, allow_negative=True) == 0
    with pytest.raises(ValueError, match="must not be negative"):
        parse_amount("-1", "USD", allow_zero=True)
    with pytest.raises(ValueError, match="must not be zero"):
        parse_amount("0", "USD", allow_negative=True)


@pytest.mark.parametrize(
    ("text", "currency"),
    [
        ("10000000000000.01", "USD"),
        ("10000000000000000", "USD"),
        ("1000000000000001", "JPY"),
        ("99999999999999999999999999", "EUR"),
    ],
)
def test_parse_refuses_too_large(text: str, currency: str) -> None:
    with pytest.raises(ValueError, match="amount is too large"):
        parse_amount(text, currency)
    with pytest.raises(ValueError, match="amount is too large"):
        parse_amount("-" + text, currency, allow_negative=True)


def test_parse_refuses_absurdly_long_strings() -> None:
    with pytest.raises(ValueError, match="too many digits"):
        parse_amount("0" * 5000 + "1", "USD")


@pytest.mark.parametrize(
    ("minor", "currency", "expected"),
    [
        (10050, "USD", "100.50"),
        (10000, "USD", "100.00"),
        (0, "USD", "0.00"),
        (-5, "USD", "-0.05"),
        (500, "JPY", "500"),
        (-500, "JPY", "-500"),
        (1, "KWD", "0.001"),
        (MAX_MINOR_UNITS, "EUR", "10000000000000.00"),
    ],
)
def test_format_amount(minor: int, currency: str, expected: str) -> None:
    assert format_amount(minor, currency) == expected


@pytest.mark.parametrize("bad", [True, 1.5, "100", None])
def test_format_refuses_non_int(bad: object) -> None:
    with pytest.raises(TypeError):
        format_amount(bad, "USD")  # type: ignore[arg-type]


@given(
    currency=st.sampled_from(sorted(CURRENCY_MINOR_UNITS)),
    minor=st.integers(min_value=-MAX_MINOR_UNITS, max_value=MAX_MINOR_UNITS),
)
def test_format_then_parse_round_trips(currency: str, minor: int) -> None:
    text = format_amount(minor, currency)
    assert parse_amount(text, currency, allow_zero=True, allow_negative=True) == minor


@pytest.mark.parametrize("good", ["100.50", "0", "-1", "007", "0.001"])
def test_amount_str_accepts_decimal_strings(good: str) -> None:
    assert Payment.model_validate({"amount": good}).amount == good
    assert Payment.model_validate_json(f'{{"amount": "{good}"}}').amount == good


@pytest.mark.parametrize("bad", BAD_SYNTAX)
def test_amount_str_refuses_bad_python_input(bad: object) -> None:
    with pytest.raises(ValidationError):
        Payment.model_validate({"amount": bad})


@pytest.mark.parametrize(
    "raw",
    ["100", "100.5", "true", "null", "1e3", "NaN", "Infinity", '" 5 "', '"1e3"', '"\\u0663"'],
)
def test_amount_str_refuses_bad_json(raw: str) -> None:
    with pytest.raises(ValidationError):
        Payment.model_validate_json(f'{{"amount": {raw}}}')


@pytest.mark.parametrize("bad", ["0", "0.00", "000", "-1", "-0.01", "-0"])
def test_positive_amount_str_refuses_zero_and_negative(bad: str) -> None:
    with pytest.raises(ValidationError):
        Payment.model_validate({"amount": "1", "positive": bad})


@pytest.mark.parametrize("good", ["1", "0.01", "10.00", "00.5", "100"])
def test_positive_amount_str_accepts_positive(good: str) -> None:
    assert Payment.model_validate({"amount": "1", "positive": good}).positive == good


@given(st.text(alphabet="0123456789.-", max_size=12))
def test_positive_pattern_agrees_with_decimal(text: str) -> None:
    syntax_ok = re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text) is not None
    expected = syntax_ok and Decimal(text) > 0
    try:
        Payment.model_validate({"amount": "1", "positive": text})
    except ValidationError:
        accepted = False
    else:
        accepted = True
    assert accepted == expected


def test_amount_schema_is_a_string_with_a_pattern() -> None:
    schema = Payment.model_json_schema()["properties"]
    assert schema["amount"]["type"] == "string"
    assert "pattern" in schema["amount"] and "pattern" in schema["positive"]
