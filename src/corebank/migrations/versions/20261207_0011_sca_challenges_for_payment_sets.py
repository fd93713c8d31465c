"""sca: a challenge can cover a whole set of payments (a multi-leg transaction)

A customer's multi-leg transaction that pays someone else is challenged like a transfer, with a
challenge whose terms are every leg of the set. The challenge keeps two new nullable columns:
`legs_digest` (SHA-256 of the canonical legs, in order: the authorization code covers exactly
them) and `legs_summary` (JSON the customer reads: leg count, totals per currency, payees). They
stay NULL for the challenges of transfers and trusted payees. Adding nullable columns rewrites
no row on either backend.

Downgrade drops both columns. A set's challenge left behind then has no digest, and an
authorization code is compared with its challenge's terms, digest included, so such a challenge
can no longer authorize anything (after a downgrade, or after upgrading again).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("sca_challenges", sa.Column("legs_digest", sa.String(64), nullable=True))
    op.add_column("sca_challenges", sa.Column("legs_summary", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("sca_challenges", "legs_summary")
    op.drop_column("sca_challenges", "legs_digest")
