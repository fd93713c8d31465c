"""The committed Python client is what the current API generates (`make client`), byte for
byte, so the schema and the client never drift apart."""

import json
import re
from pathlib import Path

import pytest
from corebank_client_ext import MONEY_POSTS
from scripts.generate_client import PACKAGE, SCHEMA, generate_package, openapi_text

pytestmark = pytest.mark.slow

REGENERATE = "run `make client` and commit clients/python"


def _tree(root: Path) -> dict[str, bytes]:
    """Every file under root by relative path; bytecode caches are never committed."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_committed_schema_is_the_apps_schema() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == openapi_text(), (
        f"openapi.json is stale: {REGENERATE}"
    )


def test_committed_client_is_what_the_schema_generates(tmp_path: Path) -> None:
    schema = tmp_path / "openapi.json"
    schema.write_text(openapi_text(), encoding="utf-8")
    generate_package(schema, tmp_path / "corebank_client")

    fresh, committed = _tree(tmp_path / "corebank_client"), _tree(PACKAGE)
    assert sorted(fresh) == sorted(committed), f"files differ: {REGENERATE}"
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert changed == [], f"{changed} differ: {REGENERATE}"
    assert len(fresh) > 200  # every tag's calls and every model, not an empty package


def test_the_session_adds_idempotency_keys_exactly_where_the_api_takes_them() -> None:
    document = json.loads(SCHEMA.read_text(encoding="utf-8"))
    takes_key = {
        path
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if method == "post"
        and any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }
    assert set(MONEY_POSTS) == takes_key


def test_operation_ids_name_the_generated_calls() -> None:
    document = json.loads(SCHEMA.read_text(encoding="utf-8"))
    transfer = document["paths"]["/api/v1/transfers"]["post"]
    assert transfer["operationId"] == "transfer"
    assert (PACKAGE / "api" / "ledger" / "transfer.py").is_file()
    ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", operation_id) for operation_id in ids)
