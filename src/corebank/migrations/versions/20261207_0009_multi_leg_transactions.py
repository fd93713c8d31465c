"""ledger: multi-leg transactions keep their metadata on the journal entry

`POST /api/v1/transactions` posts several legs as one `multi_leg` entry with a small object of
string metadata; it is stored in a new nullable JSON column `journal_entries.metadata` (NULL for
every other entry). The entry type is a plain string column without a check constraint, so the
new type needs no change of its own.

Adding a nullable column rewrites no row, so the append-only triggers stay as they are on both
backends (SQLite's ADD COLUMN and DROP COLUMN do not rebuild the table).

Downgrade refuses while a multi-leg entry exists: the journal is append-only, and dropping the
column would silently lose what those entries recorded.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("journal_entries", sa.Column("metadata", sa.JSON(), nullable=True))


def downgrade() -> None:
    found = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM journal_entries WHERE type = 'multi_leg'")
    )
    if found:
        raise RuntimeError(
            f"{found} multi-leg entries exist; their metadata would be lost. "
            "Downgrading below 0009 is refused."
        )
    op.drop_column("journal_entries", "metadata")
