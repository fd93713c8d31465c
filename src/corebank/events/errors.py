"""Refusals of the webhook rules.

Each keeps the problem type, title and detail the API has always answered with: the title is
inherited from the core class, only the `type` names the webhook case.
"""

from __future__ import annotations

from typing import Any

from corebank.core.errors import Conflict, NotFound, ValidationFailed
from corebank.events.urls import REFUSED


class WebhookNotFound(NotFound):
    type = "webhook-not-found"

    def __init__(self, detail: str = "No such webhook endpoint.", **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)


class DeliveryNotFound(NotFound):
    """No such delivery, or one that belongs to another endpoint."""

    type = "delivery-not-found"

    def __init__(self, detail: str = "No such delivery for this endpoint.", **kwargs: Any) -> None:
        super().__init__(detail, **kwargs)


class WebhookInactive(Conflict):
    """A retry asked of a paused endpoint."""

    type = "webhook-inactive"

    def __init__(
        self, detail: str = "The endpoint is inactive; activate it before retrying.", **kwargs: Any
    ) -> None:
        super().__init__(detail, **kwargs)


class WebhookUrlRefused(ValidationFailed):
    """A URL the guard refused; its problem type is the guard's code (invalid, refused, ...)."""

    type = REFUSED
