"""Every ORM model, imported here so the metadata (and Alembic) sees them all."""

from corebank.models.account import Account, AccountKind, AccountStatus, AccountType
from corebank.models.approval import ApprovalOperation, ApprovalRequest, ApprovalStatus
from corebank.models.attestation import Attestation, LedgerCheckpoint, LedgerCheckpointAccount
from corebank.models.audit import AuditChainHead, AuditEvent
from corebank.models.base import Base
from corebank.models.customer import Customer, CustomerStatus, KycStatus
from corebank.models.ledger import (
    EntryType,
    Hold,
    HoldStatus,
    IdempotencyKey,
    JournalEntry,
    Posting,
)
from corebank.models.loan import (
    Loan,
    LoanInstallment,
    LoanProduct,
    LoanRepayment,
    LoanStatus,
    ProductStatus,
)
from corebank.models.mfa import MfaTicket, RecoveryCode, ScaChallenge, TotpFactor, TrustedPayee
from corebank.models.outbox import OutboxEvent
from corebank.models.user import (
    AuthSession,
    LoginThrottle,
    PasswordResetToken,
    RefreshToken,
    Role,
    User,
)
from corebank.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint

__all__ = [
    "Account",
    "AccountKind",
    "AccountStatus",
    "AccountType",
    "ApprovalOperation",
    "ApprovalRequest",
    "ApprovalStatus",
    "Attestation",
    "AuditChainHead",
    "AuditEvent",
    "AuthSession",
    "Base",
    "Customer",
    "CustomerStatus",
    "DeliveryStatus",
    "EntryType",
    "Hold",
    "HoldStatus",
    "IdempotencyKey",
    "JournalEntry",
    "KycStatus",
    "LedgerCheckpoint",
    "LedgerCheckpointAccount",
    "Loan",
    "LoanInstallment",
    "LoanProduct",
    "LoanRepayment",
    "LoanStatus",
    "LoginThrottle",
    "MfaTicket",
    "OutboxEvent",
    "PasswordResetToken",
    "Posting",
    "ProductStatus",
    "RecoveryCode",
    "RefreshToken",
    "Role",
    "ScaChallenge",
    "TotpFactor",
    "TrustedPayee",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
