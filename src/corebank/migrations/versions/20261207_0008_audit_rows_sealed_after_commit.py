"""audit: rows written unsealed by their transaction, sealed after commit

Until now every audited write ended by locking the single `audit_chain_head` row (migration
0006's `corebank_audit_append`), and held it until its COMMIT: one global queue for every
transfer. Now a request's transaction only inserts its audit rows, with no chain position and
no hash, ordered by a new `seq` column (the primary key, from a sequence: no lock on any shared
row). A sealer (core/audit.py) later locks the head in its own short transaction and gives the
committed unsealed rows their `id` (chain position), `prev_hash` and `hash`, hashed exactly as
before.

Data: every existing row is sealed and keeps its `id` and hash; its `seq` is its `id`, and the
sequence continues after the largest. The append-only guard now lets exactly one UPDATE through
per row, the one that seals it (NULL chain columns filled in, nothing else changed); DELETE is
still refused. `corebank_audit_append` is dropped: nothing may write a sealed row directly.

Downgrade refuses while unsealed rows exist (stop the app, run `corebank audit seal` first).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
GENESIS = "0" * 64
CONTENT = (
    "seq",
    "occurred_at",
    "actor_id",
    "action",
    "target_type",
    "target_id",
    "before",
    "after",
    "ip",
    "user_agent",
    "correlation_id",
)
CHAIN = ("id", "prev_hash", "hash")
SEALED_TOGETHER = (
    "(id IS NULL AND prev_hash IS NULL AND hash IS NULL)"
    " OR (id IS NOT NULL AND prev_hash IS NOT NULL AND hash IS NOT NULL)"
)
OLD_INDEXES = {
    "ix_audit_events_actor_id": ["actor_id", "id"],
    "ix_audit_events_action_id": ["action", "id"],
    "ix_audit_events_target": ["target_type", "target_id", "id"],
}
NEW_INDEXES = {
    "ix_audit_events_actor_seq": ["actor_id", "seq"],
    "ix_audit_events_action_seq": ["action", "seq"],
    "ix_audit_events_target_seq": ["target_type", "target_id", "seq"],
}


def _is_postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


# --- the append-only guard ------------------------------------------------------------------


def _pg_content(side: str) -> str:
    """The row's content as one row value; `json` has no equality, so compare its text."""
    columns = (f'{side}."{c}"' + ("::text" if c in ("before", "after") else "") for c in CONTENT)
    return "(" + ", ".join(columns) + ")"


PG_GUARD = f"""
CREATE OR REPLACE FUNCTION corebank_audit_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND OLD.id IS NULL AND OLD.prev_hash IS NULL AND OLD.hash IS NULL
       AND NEW.id IS NOT NULL AND NEW.prev_hash IS NOT NULL AND NEW.hash IS NOT NULL
       AND {_pg_content("NEW")} IS NOT DISTINCT FROM {_pg_content("OLD")}
    THEN
        RETURN NEW;  -- sealing: the chain columns filled in once, the content untouched
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql
"""

#: SQLite: any UPDATE but the one that seals a row is refused (`IS NOT` is NULL-safe).
SQLITE_REFUSED_UPDATE = " OR ".join(
    [
        *(f"OLD.{c} IS NOT NULL" for c in CHAIN),
        *(f"NEW.{c} IS NULL" for c in CHAIN),
        *(f'NEW."{c}" IS NOT OLD."{c}"' for c in CONTENT),
    ]
)


def _create_guard() -> None:
    if _is_postgres():
        op.execute(PG_GUARD)
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION corebank_audit_guard()"
        )
        return
    op.execute(
        "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
        f"WHEN {SQLITE_REFUSED_UPDATE} "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: UPDATE refused'); END"
    )
    op.execute(
        "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: DELETE refused'); END"
    )


def _drop_guard() -> None:
    """Drop the trigger(s) guarding audit_events (0001's or this revision's: same names)."""
    if _is_postgres():
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        return
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")


def _create_old_guard() -> None:
    """0001's guard: no UPDATE, no DELETE (`corebank_refuse_change` is 0001's and still there)."""
    if _is_postgres():
        op.execute(
            "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
            "FOR EACH ROW EXECUTE FUNCTION corebank_refuse_change()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_events_no_{operation.lower()} BEFORE {operation} "
            f"ON audit_events BEGIN SELECT RAISE(ABORT, "
            f"'audit_events is append-only: {operation} refused'); END"
        )


# --- upgrade -----------------------------------------------------------------------------------


def upgrade() -> None:
    _drop_guard()
    op.add_column("audit_events", sa.Column("seq", BIG_ID, nullable=True))
    op.execute("UPDATE audit_events SET seq = id")
    if _is_postgres():
        op.execute("DROP FUNCTION IF EXISTS corebank_audit_append(json)")
        op.execute("CREATE SEQUENCE audit_events_seq_seq OWNED BY audit_events.seq")
        op.execute(
            "SELECT setval('audit_events_seq_seq', "
            "COALESCE((SELECT max(seq) FROM audit_events), 0) + 1, false)"
        )
        op.execute(
            "ALTER TABLE audit_events ALTER COLUMN seq SET DEFAULT nextval('audit_events_seq_seq')"
        )
    with op.batch_alter_table("audit_events", schema=None, recreate="auto") as batch_op:
        for name in OLD_INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_constraint("pk_audit_events", type_="primary")
        batch_op.alter_column("seq", existing_type=BIG_ID, nullable=False)
        batch_op.create_primary_key("pk_audit_events", ["seq"])
        batch_op.alter_column("id", existing_type=BIG_ID, nullable=True)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.create_unique_constraint(op.f("uq_audit_events_id"), ["id"])
        batch_op.create_check_constraint(op.f("ck_audit_events_sealed_together"), SEALED_TOGETHER)
        for name, columns in NEW_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
        batch_op.create_index(
            "ix_audit_events_pending",
            ["seq"],
            unique=False,
            postgresql_where=sa.text("id IS NULL"),
            sqlite_where=sa.text("id IS NULL"),
        )
    _create_guard()


# --- downgrade ---------------------------------------------------------------------------------


def downgrade() -> None:
    pending = op.get_bind().execute(sa.text("SELECT count(*) FROM audit_events WHERE id IS NULL"))
    count = pending.scalar_one()
    if count:
        raise RuntimeError(
            f"{count} audit rows are not sealed yet: stop the app, run `corebank audit seal`, "
            "then downgrade"
        )
    _drop_guard()
    with op.batch_alter_table("audit_events", schema=None, recreate="auto") as batch_op:
        batch_op.drop_index("ix_audit_events_pending")
        for name in NEW_INDEXES:
            batch_op.drop_index(name)
        batch_op.drop_constraint(op.f("ck_audit_events_sealed_together"), type_="check")
        batch_op.drop_constraint(op.f("uq_audit_events_id"), type_="unique")
        batch_op.drop_constraint("pk_audit_events", type_="primary")
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("id", existing_type=BIG_ID, nullable=False)
        batch_op.create_primary_key("pk_audit_events", ["id"])
        batch_op.drop_column("seq")
        for name, columns in OLD_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    if _is_postgres():
        op.execute("DROP FUNCTION IF EXISTS corebank_audit_guard()")
        op.execute(APPEND_0006)
    _create_old_guard()


#: Migration 0006's function, as it was, for the code of that revision.
APPEND_0006 = f"""
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
