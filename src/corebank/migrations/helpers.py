"""Reusable migration steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import op


def make_append_only(table: str) -> None:
    """Refuse UPDATE and DELETE on `table` at the database level, on both backends."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            """
            CREATE OR REPLACE FUNCTION corebank_refuse_change() RETURNS trigger AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
                    USING ERRCODE = 'insufficient_privilege';
            END;
            $$ LANGUAGE plpgsql
            """
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION corebank_refuse_change()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
        )


def drop_append_only(table: str) -> None:
    """Undo `make_append_only`."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        return
    for operation in ("update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")


#: Tables no model describes: SQLite's FTS5 index over customers and its shadow tables.
UNMODELLED_TABLE_PREFIXES = ("customers_search",)

IncludeObject = Callable[[Any, str | None, str, bool, Any], bool]


def include_object_for(dialect: str) -> IncludeObject:
    """An autogenerate filter for `dialect`: skip unmodelled tables and other backends' objects.

    A model object carrying `info={"only_on_dialect": "postgresql"}` (such as the pg_trgm index
    on customers) is compared on that backend only.
    """

    def include(obj: Any, name: str | None, type_: str, reflected: bool, _: Any) -> bool:
        if type_ == "table" and name and name.startswith(UNMODELLED_TABLE_PREFIXES):
            return False
        only_on = getattr(obj, "info", {}).get("only_on_dialect")
        return only_on is None or only_on == dialect

    return include


_CUSTOMER_SEARCH_TRIGGERS = {
    "customers_search_ai": "AFTER INSERT ON customers BEGIN {insert} END",
    "customers_search_ad": "AFTER DELETE ON customers BEGIN {delete} END",
    "customers_search_au": "AFTER UPDATE OF search_text ON customers BEGIN {delete} {insert} END",
}
_FTS_INSERT = "INSERT INTO customers_search(rowid, search_text) VALUES (new.id, new.search_text);"
_FTS_DELETE = (
    "INSERT INTO customers_search(customers_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text);"
)


def create_customer_search_sqlite() -> None:
    """SQLite: the FTS5 trigram index over `customers.search_text`, kept by triggers.

    A batch ("move and copy") migration of `customers` drops these triggers with the old
    table: such a migration must call this function again afterwards.
    """
    op.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS customers_search USING fts5("
        "search_text, content='customers', content_rowid='id', tokenize='trigram')"
    )
    for name, body in _CUSTOMER_SEARCH_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} " + body.format(insert=_FTS_INSERT, delete=_FTS_DELETE))
    op.execute("INSERT INTO customers_search(customers_search) VALUES ('rebuild')")


def drop_customer_search_sqlite() -> None:
    """Undo `create_customer_search_sqlite`."""
    for name in _CUSTOMER_SEARCH_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS customers_search")
