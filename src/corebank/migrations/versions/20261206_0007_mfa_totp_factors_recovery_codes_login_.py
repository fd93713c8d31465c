"""mfa: totp factors, recovery codes, login tickets, sca challenges, trusted payees

A second factor (TOTP, secrets encrypted at rest with a key id), single-use recovery codes and
MFA login tickets; strong-authentication challenges for money out, bound to amount, currency,
source and payee; trusted payees; and on users the MFA lockout and the low-value exemption's
running count and sum since the last strong authentication. Sessions may carry a required
action (staff without a second factor may only enrol).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 21:31:18.460683
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import corebank.models.base

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "mfa_recovery_codes",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", corebank.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", corebank.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mfa_recovery_codes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_recovery_codes")),
    )
    with op.batch_alter_table("mfa_recovery_codes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mfa_recovery_codes_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "mfa_tickets",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", corebank.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", corebank.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", corebank.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_mfa_tickets_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mfa_tickets")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_mfa_tickets_token_hash")),
    )
    with op.batch_alter_table("mfa_tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mfa_tickets_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sca_challenges",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column(
            "source_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "payee_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("created_at", corebank.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", corebank.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", corebank.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("consumed_at", corebank.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sca_challenges_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sca_challenges")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_sca_challenges_code_hash")),
    )
    with op.batch_alter_table("sca_challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sca_challenges_user_id"), ["user_id"], unique=False)

    op.create_table(
        "totp_factors",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", corebank.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", corebank.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_step", sa.BigInteger(), nullable=True),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_totp_factors_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_totp_factors")),
        sa.UniqueConstraint("user_id", name=op.f("uq_totp_factors_user_id")),
    )
    op.create_table(
        "trusted_payees",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", corebank.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_trusted_payees_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_trusted_payees_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_payees")),
        sa.UniqueConstraint(
            "user_id", "account_id", name=op.f("uq_trusted_payees_user_id_account_id")
        ),
    )
    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("required_action", sa.String(length=32), nullable=True))

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mfa_failed_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "mfa_locked_until", corebank.models.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(
            sa.Column("last_sca_at", corebank.models.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("sca_exempt_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("sca_exempt_minor", sa.BigInteger(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("sca_exempt_minor")
        batch_op.drop_column("sca_exempt_count")
        batch_op.drop_column("last_sca_at")
        batch_op.drop_column("mfa_locked_until")
        batch_op.drop_column("mfa_failed_count")

    with op.batch_alter_table("auth_sessions", schema=None) as batch_op:
        batch_op.drop_column("required_action")

    op.drop_table("trusted_payees")
    op.drop_table("totp_factors")
    with op.batch_alter_table("sca_challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sca_challenges_user_id"))

    op.drop_table("sca_challenges")
    with op.batch_alter_table("mfa_tickets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mfa_tickets_user_id"))

    op.drop_table("mfa_tickets")
    with op.batch_alter_table("mfa_recovery_codes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mfa_recovery_codes_user_id"))

    op.drop_table("mfa_recovery_codes")
