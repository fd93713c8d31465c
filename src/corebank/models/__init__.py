"""Every ORM model, imported here so the metadata (and Alembic) sees them all."""

from corebank.models.audit import AuditChainHead, AuditEvent
from corebank.models.base import Base
from corebank.models.customer import Customer, CustomerStatus, KycStatus
from corebank.models.outbox import OutboxEvent
from corebank.models.user import (
    AuthSession,
    LoginThrottle,
    PasswordResetToken,
    RefreshToken,
    Role,
    User,
)

__all__ = [
    "AuditChainHead",
    "AuditEvent",
    "AuthSession",
    "Base",
    "Customer",
    "CustomerStatus",
    "KycStatus",
    "LoginThrottle",
    "OutboxEvent",
    "PasswordResetToken",
    "RefreshToken",
    "Role",
    "User",
]
