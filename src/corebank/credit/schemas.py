"""Response body of the credit-check endpoint."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class CreditCheckOut(BaseModel):
    customer_id: int
    score: int
    checked_at: datetime
    source: str
