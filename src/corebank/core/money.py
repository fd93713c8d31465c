"""Money as integer minor units, with strict decimal-string parsing and formatting."""

import re
from typing import Annotated

from pydantic import Field

_ZERO_DIGITS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DIGITS = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DIGITS = "CLF UYW"
_TWO_DIGITS = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP "
    "GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT "
    "LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN "
    "NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP "
    "SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES "
    "WST XCD YER ZAR ZMW ZWG"
)

CURRENCY_MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(_TWO_DIGITS.split(), 2),
    **dict.fromkeys(_ZERO_DIGITS.split(), 0),
    **dict.fromkeys(_THREE_DIGITS.split(), 3),
    **dict.fromkeys(_FOUR_DIGITS.split(), 4),
}

MAX_MINOR_UNITS = 10**15
MAX_AMOUNT_LENGTH = 64

AMOUNT_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
POSITIVE_AMOUNT_PATTERN = r"^([0-9]*[1-9][0-9]*(\.[0-9]+)?|[0-9]+\.[0-9]*[1-9][0-9]*)$"
_AMOUNT_RE = re.compile(r"(-?)([0-9]+)(?:\.([0-9]+))?", re.ASCII)

_SYNTAX_MESSAGE = 'amount must be a decimal string such as "100.50"'

AmountStr = Annotated[
    str,
    Field(
        strict=True,
        pattern=AMOUNT_PATTERN,
        max_length=MAX_AMOUNT_LENGTH,
        examples=["100.50"],
        description="Decimal string with at most the currency's minor digits.",
    ),
]
PositiveAmountStr = Annotated[
    str,
    Field(
        strict=True,
        pattern=POSITIVE_AMOUNT_PATTERN,
        max_length=MAX_AMOUNT_LENGTH,
        examples=["100.50"],
        description="Positive decimal string with at most the currency's minor digits.",
    ),
]


def minor_units(currency: str) -> int:
    """Return the number of minor-unit digits of an ISO 4217 currency code."""
    try:
        return CURRENCY_MINOR_UNITS[currency]
    except (KeyError, TypeError):
        raise ValueError(f"unknown currency {currency!r}") from None


def _sign_message(allow_zero: bool, allow_negative: bool) -> str:
    """Return the message for an amount whose sign is not allowed."""
    if allow_zero:
        return "amount must not be negative"
    if allow_negative:
        return "amount must not be zero"
    return "amount must be greater than zero"


def _split(text: object) -> tuple[bool, str, str]:
    """Split a well-formed amount string into sign, whole digits and fraction digits."""
    if not isinstance(text, str):
        raise ValueError(_SYNTAX_MESSAGE)
    if len(text) > MAX_AMOUNT_LENGTH:
        raise ValueError("amount has too many digits")
    match = _AMOUNT_RE.fullmatch(text)
    if match is None:
        raise ValueError(_SYNTAX_MESSAGE)
    sign, whole, fraction = match.groups()
    return sign == "-", whole, fraction or ""


def parse_amount(
    text: object, currency: str, *, allow_zero: bool = False, allow_negative: bool = False
) -> int:
    """Parse a decimal amount string into integer minor units of the currency."""
    digits = minor_units(currency)
    negative, whole, fraction = _split(text)
    if len(fraction) > digits:
        raise ValueError(f"{currency} amounts have at most {digits} decimal places")
    magnitude = int(whole + fraction.ljust(digits, "0"))
    if (negative and not allow_negative) or (magnitude == 0 and not allow_zero):
        raise ValueError(_sign_message(allow_zero, allow_negative))
    if magnitude > MAX_MINOR_UNITS:
        raise ValueError("amount is too large")
    return -magnitude if negative else magnitude


def format_amount(minor: int, currency: str) -> str:
    """Format integer minor units as a decimal string with exactly the currency's digits."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError("minor units must be an int")
    digits = minor_units(currency)
    sign = "-" if minor < 0 else ""
    if digits == 0:
        return f"{sign}{abs(minor)}"
    whole, fraction = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}"
