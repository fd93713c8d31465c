"""Refusals of the customer rules.

Each keeps the problem type, title and detail the API has always answered with: the title is
inherited from the core class, only the `type` names the customer case.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from corebank.core.errors import Conflict, NotFound, ValidationFailed, field_error

_LABELS = {"email": "e-mail address", "phone": "phone number", "user_id": "linked user"}


class CustomerNotFound(NotFound):
    """No live customer with that id, or not one the caller may see (never 403)."""

    type = "customer-not-found"

    def __init__(self, detail: str = "No such customer.", **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)


class DuplicateCustomer(Conflict):
    """Another live customer already has this e-mail, phone or linked user."""

    type = "duplicate-customer"


class RecordChanged(Conflict):
    """An approved change whose record changed since it was asked for: applying it would undo
    what happened meanwhile."""

    type, title = "record-changed-since-request", "The record changed since the request"


class CustomerNotDeletable(Conflict):
    """A deletion guard refused the soft delete; the detail is the guard's reason."""

    type = "customer-not-deletable"


class CustomerNotDeleted(Conflict):
    """A restore of a customer that is live."""

    type = "customer-not-deleted"

    def __init__(self, detail: str = "The customer is not deleted.", **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)


def duplicate(field: str | None, *, loc: Sequence[str] = ("body",)) -> DuplicateCustomer:
    """409 naming the field that another live customer already has (when it can be told)."""
    if field is None:
        return DuplicateCustomer("The change clashes with another customer.")
    return DuplicateCustomer(
        f"Another customer already has this {_LABELS[field]} ({field}).",
        extra={"errors": [field_error([*loc, field], "already in use", "duplicate")]},
    )


def invalid_record(errors: Sequence[Mapping[str, Any]]) -> ValidationFailed:
    """422 listing every field rule the request broke."""
    return ValidationFailed("The customer record is not valid.", errors=errors)


def no_such_user() -> ValidationFailed:
    """422: the user to link does not exist (or is deleted)."""
    return ValidationFailed(
        "No such user to link.", errors=[field_error(["body", "user_id"], "no such user")]
    )


def bad_query(name: str, message: str) -> ValidationFailed:
    """422 about one query parameter of the customer list."""
    return ValidationFailed(message, errors=[field_error(["query", name], message)])
