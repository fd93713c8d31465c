"""Every ORM model, imported here so the metadata (and Alembic) sees them all."""

from corebank.models.audit import AuditChainHead, AuditEvent
from corebank.models.base import Base
from corebank.models.outbox import OutboxEvent

__all__ = ["AuditChainHead", "AuditEvent", "Base", "OutboxEvent"]
