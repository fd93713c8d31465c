"""audit: append to the hash chain in one statement on PostgreSQL

Every audited write ends by locking the single `audit_chain_head` row, so that lock orders all
of them. Held across three round trips (lock, insert, update) and the app's own work between
them, it capped the whole service's write rate. `corebank_audit_append(rows)` does the lock,
the hashing and every insert in one call: the lock is held for one statement and the commit.

The hash is the same SHA-256 as before (`corebank.core.audit.row_hash`): the app sends each
row's canonical JSON in three pieces around its chain position and previous hash, and SQL
joins them once it knows both.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 02:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64

CREATE = f"""
CREATE OR REPLACE FUNCTION corebank_audit_append(p_rows json) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_id bigint;
    v_hash varchar(64);
    v_new varchar(64);
    v_row json;
BEGIN
    SELECT last_id, last_hash INTO v_id, v_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO audit_chain_head (id, last_id, last_hash) VALUES (1, 0, '{GENESIS}')
        ON CONFLICT (id) DO NOTHING;
        SELECT last_id, last_hash INTO v_id, v_hash
        FROM audit_chain_head WHERE id = 1 FOR UPDATE;
    END IF;
    FOR v_row IN SELECT value FROM json_array_elements(p_rows) LOOP
        v_id := v_id + 1;
        v_new := encode(sha256(convert_to(
            (v_row->>'head') || v_id::text || (v_row->>'middle') || v_hash || (v_row->>'tail'),
            'UTF8')), 'hex');
        INSERT INTO audit_events (
            id, occurred_at, actor_id, action, target_type, target_id, before, after, ip,
            user_agent, correlation_id, prev_hash, hash
        ) VALUES (
            v_id, (v_row->>'occurred_at')::timestamptz, (v_row->>'actor_id')::bigint,
            v_row->>'action', v_row->>'target_type', v_row->>'target_id',
            v_row->'before', v_row->'after', v_row->>'ip',
            v_row->>'user_agent', v_row->>'correlation_id', v_hash, v_new
        );
        v_hash := v_new;
    END LOOP;
    UPDATE audit_chain_head SET last_id = v_id, last_hash = v_hash WHERE id = 1;
    RETURN v_id;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS corebank_audit_append(json)")
