"""One date-time type for every filter and body: aware or naive (taken as UTC), converted to
UTC, and between 1900 and 9999 after that conversion, so any date anywhere is a value or a 422.

Without the bound, `0001-01-01T00:00:00+14:00` parses but overflows when converted to UTC (a
500), and far dates overflow the database drivers' own conversions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator

from corebank.models.base import as_utc

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
RANGE_MESSAGE = "must be between 1900-01-01 and 9999-12-31 (UTC)"


def bounded_utc(value: datetime) -> datetime:
    """`value` in UTC (naive is taken as UTC); ValueError outside 1900-9999 after conversion."""
    try:
        moment = as_utc(value)
    except OverflowError:
        raise ValueError(RANGE_MESSAGE) from None
    if not EARLIEST <= moment <= LATEST:
        raise ValueError(RANGE_MESSAGE)
    return moment


Timestamp = Annotated[datetime, AfterValidator(bounded_utc)]
"""A date-time from a client: validated, in UTC, within 1900-9999."""
