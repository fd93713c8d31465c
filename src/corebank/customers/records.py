"""From requests to rows and back: column values, audit snapshots, cache keys."""

from __future__ import annotations

from datetime import date
from typing import Any

from corebank.config import Settings
from corebank.customers.errors import invalid_record
from corebank.customers.search import search_text
from corebank.customers.validation import mask_national_id, settings_rules
from corebank.models.customer import Customer

PLAIN_FIELDS = ("first_name", "last_name", "email", "national_id", "user_id")
ADDRESS_COLUMNS = {
    "line1": "address_line1",
    "line2": "address_line2",
    "city": "city",
    "postal_code": "postal_code",
    "country": "country",
}
STATE_FIELDS = (
    "user_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    *ADDRESS_COLUMNS.values(),
    "national_id",
    "credit_limit_minor",
    "kyc_status",
    "kyc_reason",
)


def cache_key(customer_id: int) -> str:
    return f"customer:{customer_id}"


def column_values(fields: dict[str, Any], *, settings: Settings, today: date) -> dict[str, Any]:
    """Column values for the request fields present; 422 listing every rule that failed."""
    values, errors = settings_rules(fields, settings=settings, today=today)
    if errors:
        raise invalid_record(errors)
    values.update({name: fields[name] for name in PLAIN_FIELDS if name in fields})
    if "address" in fields:
        address = fields["address"] or {}
        values.update({column: address.get(key) for key, column in ADDRESS_COLUMNS.items()})
    return values


def refresh_search_text(customer: Customer) -> None:
    customer.search_text = search_text(
        first_name=customer.first_name,
        last_name=customer.last_name,
        email=customer.email,
        phone=customer.phone,
    )


def state(customer: Customer) -> dict[str, Any]:
    """The customer's changeable fields, raw (never log or audit this: see `snapshot`)."""
    return {name: getattr(customer, name) for name in STATE_FIELDS} | {
        "status": str(customer.status)
    }


def snapshot(customer: Customer) -> dict[str, Any]:
    """The audited view of a customer: national_id masked."""
    return masked(state(customer))


def masked(view: dict[str, Any]) -> dict[str, Any]:
    if "national_id" not in view:
        return view
    return view | {"national_id": mask_national_id(view["national_id"])}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in after if before.get(name) != after.get(name)]
