"""ledger: a hold knows the approval request it reserves money for

A money movement waiting for approval is reserved by holds; `holds.approval_request_id` names
the request, so such a hold can be resolved only by the request's decision, never by hand
(`POST /holds/{id}/capture|void` answer 409). A nullable column; approvals (0012) ship in
the same release, so no hold of a pending request exists before it. The downgrade drops it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 03:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "approval_request_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_holds_approval_request_id_approval_requests"),
            "approval_requests",
            ["approval_request_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("holds", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_holds_approval_request_id_approval_requests"), type_="foreignkey"
        )
        batch_op.drop_column("approval_request_id")
