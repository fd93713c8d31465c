"""What the approval services need, built once by the composition root."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.approvals.policy import ApprovalPolicy
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.identity.principal import Principal
from corebank.models.approval import ApprovalOperation, ApprovalRequest


class Executor(Protocol):
    """How one operation is carried out once approved, and undone when it is not.

    The domain that owns the operation registers it (`container.wire`); `execute` and
    `release` run inside the decision's transaction, with the request row locked."""

    async def execute(
        self, session: AsyncSession, request: ApprovalRequest, *, checker: Principal, now: datetime
    ) -> Mapping[str, Any]:
        """Do what the maker asked; the result is stored on the request."""
        ...

    async def release(
        self,
        session: AsyncSession,
        request: ApprovalRequest,
        *,
        actor_id: int | None,
        now: datetime,
    ) -> None:
        """Give back what the request reserved (its holds), on rejection (`actor_id` the
        checker) or expiry (None)."""
        ...

    async def after_commit(self, subject_id: int) -> None:
        """After an approval committed: e.g. drop the subject from a cache (a failure here is
        logged, never answered: the approval stands)."""
        ...


class ReservesNothing:
    """Base of an executor whose operation reserves nothing while it waits and keeps no cache:
    a rejection or an expiry has nothing to give back, a commit nothing to drop."""

    async def release(
        self,
        session: AsyncSession,
        request: ApprovalRequest,
        *,
        actor_id: int | None,
        now: datetime,
    ) -> None:
        return None

    async def after_commit(self, subject_id: int) -> None:
        return None


@dataclass(frozen=True)
class ApprovalsContext:
    db: Database
    clock: Clock
    policy: ApprovalPolicy
    executors: dict[ApprovalOperation, Executor] = field(default_factory=dict)
