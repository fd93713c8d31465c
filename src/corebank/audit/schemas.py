"""Response bodies of the audit-trail endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class AuditEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int = Field(
        description="Write order, set when the row is written (not contiguous); pages follow it"
    )
    id: int | None = Field(description="Position in the hash chain; null until sealed")
    sealed: bool = Field(description="Whether the row has its place in the hash chain yet")
    occurred_at: datetime
    actor_id: int | None
    action: str
    target_type: str | None
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    ip: str | None
    user_agent: str | None
    correlation_id: str | None
    hash: str | None = Field(
        description="SHA-256 chaining this row to the one before; null until sealed"
    )
