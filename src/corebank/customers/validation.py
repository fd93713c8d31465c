"""Field rules of customer records. Each function returns the canonical value or raises ValueError.

The request schemas apply the rules that need nothing but the value (names, e-mail, national
id, address); the service applies those that need Settings or the clock (phone region, credit
limit, age) through `settings_rules`.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from corebank.config import Settings
from corebank.core.errors import field_error
from corebank.core.money import format_amount, parse_amount

MAX_ID = 2**63 - 1
NAME_MAX_LENGTH = 100
MAX_RAW_LENGTH = 1000
MAX_PHONE_INPUT = 40
MAX_AGE_YEARS = 150
NATIONAL_ID_VISIBLE = 4
#: Control, format (zero-width, bidi), surrogate, private-use, unassigned, line/paragraph sep.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})

# ISO 3166-1 alpha-2, officially assigned codes.
_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ
    BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO
    DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
    GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW
    KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU
    MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW
    PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF
    TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA
    ZM ZW"""
COUNTRIES = frozenset(_COUNTRY_CODES.split())


def clean_text(value: str, *, max_length: int, what: str = "the value") -> str:
    """Trimmed, NFC-normalized text of 1..max_length characters with no invisible characters."""
    if len(value) > MAX_RAW_LENGTH:
        raise ValueError(f"{what} must be at most {max_length} characters")
    text = unicodedata.normalize("NFC", value).strip()
    if not 1 <= len(text) <= max_length:
        raise ValueError(f"{what} must be 1 to {max_length} characters after trimming")
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in text):
        raise ValueError(f"{what} must not contain control or zero-width characters")
    return text


def clean_name(value: str) -> str:
    return clean_text(value, max_length=NAME_MAX_LENGTH, what="a name")


def canonical_email(value: str) -> str:
    """The normalized address, lower case (uniqueness is case-insensitive). No DNS lookups."""
    if len(value) > MAX_RAW_LENGTH:
        raise ValueError("the e-mail address is too long")
    try:
        result = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return unicodedata.normalize("NFKC", result.normalized.casefold())


def clean_national_id(value: str) -> str:
    """5-64 characters; stored as given (trimmed), only ever shown masked."""
    text = clean_text(unicodedata.normalize("NFKC", value), max_length=64, what="national_id")
    if len(text) <= NATIONAL_ID_VISIBLE:
        raise ValueError(f"national_id must be longer than {NATIONAL_ID_VISIBLE} characters")
    return text


def mask_national_id(value: str | None) -> str | None:
    """'****' and the last four characters: the only form in which a national id leaves."""
    return None if value is None else "****" + value[-NATIONAL_ID_VISIBLE:]


def country_code(value: str) -> str:
    code = value.strip().upper()
    if code not in COUNTRIES:
        raise ValueError("country must be an ISO 3166-1 alpha-2 code such as 'US'")
    return code


def e164(value: str, *, region: str) -> str:
    """The phone number in E.164; a number without a country code is read in `region`."""
    if len(value) > MAX_PHONE_INPUT:
        raise ValueError("not a valid phone number")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError("not a valid phone number") from None
    if number.extension:
        raise ValueError("phone extensions are not supported")
    if not phonenumbers.is_valid_number(number):
        raise ValueError(
            f"not a valid phone number (numbers without +country are read in {region})"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def iso_date_text(value: object) -> object:
    """Dates come as "YYYY-MM-DD" strings only (no timestamps, no date-times)."""
    if not isinstance(value, str) or len(value) != len("YYYY-MM-DD"):
        raise ValueError("must be a date string such as 1990-12-31")
    return value


def check_birth_date(born: date, *, today: date, min_age: int) -> date:
    if born >= today:
        raise ValueError("date_of_birth must be in the past")
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < min_age:
        raise ValueError(f"the customer must be at least {min_age} years old")
    if age > MAX_AGE_YEARS:
        raise ValueError(f"date_of_birth is more than {MAX_AGE_YEARS} years ago")
    return born


def credit_limit_minor(text: str, *, settings: Settings) -> int:
    """Minor units of the base currency; 0 <= limit <= MAX_CREDIT_LIMIT."""
    currency = settings.base_currency
    minor = parse_amount(text, currency, allow_zero=True)
    maximum = parse_amount(settings.max_credit_limit, currency, allow_zero=True)
    if minor > maximum:
        raise ValueError(f"credit_limit must be at most {format_amount(maximum, currency)}")
    return minor


def settings_rules(
    fields: dict[str, Any], *, settings: Settings, today: date
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Column values for the settings-dependent fields present, and the errors found."""
    rules = {
        "phone": ("phone", lambda v: e164(v, region=settings.default_phone_region)),
        "credit_limit": ("credit_limit_minor", lambda v: credit_limit_minor(v, settings=settings)),
        "date_of_birth": (
            "date_of_birth",
            lambda v: check_birth_date(v, today=today, min_age=settings.min_customer_age),
        ),
    }
    values: dict[str, Any] = {}
    errors: list[dict[str, Any]] = []
    for field, (column, rule) in rules.items():
        if field not in fields:
            continue
        value = fields[field]
        try:
            values[column] = None if value is None else rule(value)
        except ValueError as exc:
            errors.append(field_error(["body", field], str(exc)))
    return values, errors
