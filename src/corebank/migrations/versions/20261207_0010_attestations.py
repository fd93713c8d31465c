"""attestations: the signed series of ledger attestations and the incremental checkpoint

`attestations` holds each stored signed attestation (its canonical hash and the previous one's,
unique, so the series cannot fork); the database refuses UPDATE and DELETE on it, as on the
journal. `ledger_checkpoint` (one row) and `ledger_checkpoint_accounts` (a row per account)
record how far the ledger's invariants were checked, so an attestation checks only the entries
after it (docs/ledger.md, "Signed attestation").

Downgrade drops the three tables; it refuses while attestations are stored, since an
auditor's series would be lost.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import corebank.models.base
from corebank.migrations.helpers import drop_append_only, make_append_only

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "attestations",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("issued_at", corebank.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attestations")),
        sa.UniqueConstraint("hash", name=op.f("uq_attestations_hash")),
        sa.UniqueConstraint("previous_hash", name=op.f("uq_attestations_previous_hash")),
    )
    make_append_only("attestations")
    op.create_table(
        "ledger_checkpoint",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("postings", sa.BigInteger(), nullable=False),
        sa.Column("checked_at", corebank.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_checkpoint")),
    )
    op.create_table(
        "ledger_checkpoint_accounts",
        sa.Column("account_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("posting_sum", sa.BigInteger(), nullable=False),
        sa.Column("postings", sa.BigInteger(), nullable=False),
        sa.Column("last_posting_id", sa.BigInteger(), nullable=False),
        sa.Column("last_balance_after", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_ledger_checkpoint_accounts_account_id_accounts"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_ledger_checkpoint_accounts")),
    )


def downgrade() -> None:
    found = op.get_bind().scalar(sa.text("SELECT count(*) FROM attestations"))
    if found:
        raise RuntimeError(
            f"{found} attestations are stored; an auditor's series would be lost. "
            "Downgrading below 0010 is refused."
        )
    op.drop_table("ledger_checkpoint_accounts")
    op.drop_table("ledger_checkpoint")
    drop_append_only("attestations")
    op.drop_table("attestations")
