"""outbox: the event stream's marker per event (published to the broker, attempts, retry)

Each outbox row says whether the broker confirmed it (`broker_published_at`), how often
publishing failed and when to try again (docs/events.md, "The event stream (RabbitMQ)").
Rows older than this migration keep `broker_next_attempt_at` empty: they are not streamed.
An index on (aggregate_type, aggregate_id, id) lets the dispatcher hold back an aggregate's
later events while an earlier one is unconfirmed.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import corebank.models.base

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = corebank.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("broker_published_at", _WHEN, nullable=True))
        batch_op.add_column(
            sa.Column("broker_attempts", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("broker_next_attempt_at", _WHEN, nullable=True))
        batch_op.add_column(sa.Column("broker_last_error", sa.Text(), nullable=True))
        batch_op.create_index(
            "ix_outbox_events_broker_pending",
            ["broker_published_at", "broker_next_attempt_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_outbox_events_aggregate", ["aggregate_type", "aggregate_id", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_events_aggregate")
        batch_op.drop_index("ix_outbox_events_broker_pending")
        batch_op.drop_column("broker_last_error")
        batch_op.drop_column("broker_next_attempt_at")
        batch_op.drop_column("broker_attempts")
        batch_op.drop_column("broker_published_at")
