"""approvals: maker-checker requests (operation, maker, terms, holds, decision)

An operation above its approval threshold waits in `approval_requests` until a second person
approves, rejects, or it expires; a money movement's funds are reserved by holds listed in
`hold_ids` meanwhile (docs/approvals.md). A new table only: nothing else changes. The
downgrade refuses while a request is pending (its holds would outlive it).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 02:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import corebank.models.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_WHEN = corebank.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "approval_requests",
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_by", _ID, nullable=False),
        sa.Column("maker_identity", sa.String(length=320), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", _ID, nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("hold_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("decided_by", _ID, nullable=True),
        sa.Column("decided_at", _WHEN, nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("result", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("correlation_id", sa.String(length=128), nullable=True),
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.CheckConstraint(
            "amount_minor IS NULL OR amount_minor > 0",
            name=op.f("ck_approval_requests_amount_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_approval_requests_requested_by_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_approval_requests_decided_by_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approval_requests")),
    )
    with op.batch_alter_table("approval_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_approval_requests_status_expires_at", ["status", "expires_at"], unique=False
        )
        batch_op.create_index(
            "ix_approval_requests_requested_by_id", ["requested_by", "id"], unique=False
        )


def downgrade() -> None:
    pending = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM approval_requests WHERE status = 'pending'")
    )
    if pending:
        raise RuntimeError(
            f"{pending} approval requests are pending, their funds held; reject them first. "
            "Downgrading below 0012 is refused."
        )
    op.drop_table("approval_requests")
