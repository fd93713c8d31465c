"""customers: records, live-only uniqueness, and the search index of each backend

Search runs over `customers.search_text`: on PostgreSQL a pg_trgm GIN index (the extension is
created if missing); on SQLite an FTS5 trigram table kept in step by triggers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:41:10.529588
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import corebank.models.base
from corebank.migrations.helpers import (
    create_customer_search_sqlite,
    drop_customer_search_sqlite,
)

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("address_line1", sa.String(length=200), nullable=True),
        sa.Column("address_line2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("national_id", sa.String(length=64), nullable=True),
        sa.Column("credit_limit_minor", sa.BigInteger(), nullable=False),
        sa.Column("kyc_status", sa.String(length=16), nullable=False),
        sa.Column("kyc_reason", sa.String(length=500), nullable=True),
        sa.Column("kyc_updated_at", corebank.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", corebank.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("credit_score", sa.Integer(), nullable=True),
        sa.Column(
            "credit_score_at", corebank.models.base.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "created_at",
            corebank.models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            corebank.models.base.UTCDateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_customers_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
    )
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.create_index("ix_customers_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_customers_kyc_status_id", ["kyc_status", "id"], unique=False)
        for column in ("email", "phone", "user_id"):
            batch_op.create_index(
                f"uq_customers_{column}_live",
                [column],
                unique=True,
                sqlite_where=LIVE,
                postgresql_where=LIVE,
            )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_customers_search_text_trgm",
            "customers",
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
    else:
        create_customer_search_sqlite()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_customers_search_text_trgm", table_name="customers")
    else:
        drop_customer_search_sqlite()
    with op.batch_alter_table("customers", schema=None) as batch_op:
        for column in ("user_id", "phone", "email"):
            batch_op.drop_index(f"uq_customers_{column}_live")
        batch_op.drop_index("ix_customers_kyc_status_id")
        batch_op.drop_index("ix_customers_created_at")

    op.drop_table("customers")
