"""Request and response bodies of the webhook endpoints API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from corebank.events.catalogue import ALL_EVENTS, unknown_event_types
from corebank.events.urls import MAX_URL_LENGTH
from corebank.models.webhook import DeliveryStatus

EventTypes = list[str]


def _normalize_event_types(value: list[str]) -> list[str]:
    unknown = unknown_event_types(value)
    if unknown:
        raise ValueError(
            f"unknown event type(s): {', '.join(unknown)}; see GET /api/v1/webhooks/event-types"
        )
    return [ALL_EVENTS] if ALL_EVENTS in value else sorted(set(value))


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(
        max_length=MAX_URL_LENGTH,
        description="http(s) URL on a public address.",
        examples=["https://hooks.example.com/corebank"],
    )
    event_types: EventTypes = Field(
        min_length=1,
        max_length=64,
        description='Event types to receive, or ["*"] for every type.',
        examples=[["transaction.posted", "account.frozen"]],
    )
    description: str | None = Field(default=None, max_length=200)
    active: bool = True

    @field_validator("event_types")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        return _normalize_event_types(value)


class WebhookUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)
    event_types: EventTypes | None = Field(default=None, min_length=1, max_length=64)
    description: str | None = Field(default=None, max_length=200)
    active: bool | None = None

    @field_validator("event_types")
    @classmethod
    def _known_types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _normalize_event_types(value)

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name in ("url", "event_types", "active"):
                if name in data and data[name] is None:
                    raise ValueError(f"{name} cannot be null")
        return data


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    url: str
    description: str | None
    event_types: list[str]
    active: bool
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str = Field(
        description="Signing secret for Corebank-Signature. Shown only in this response."
    )


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    endpoint_id: int
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When it will be tried (pending).")
    last_attempt_at: datetime | None
    last_status_code: int | None = Field(description="HTTP status of the last attempt.")
    last_error: str | None
    last_duration_ms: int | None
    created_at: datetime
    delivered_at: datetime | None


class EventTypeOut(BaseModel):
    type: str
    version: int
    summary: str
    data_schema: dict[str, Any] = Field(description="JSON schema of the envelope's `data`.")
