"""`make client`: dump the OpenAPI document and regenerate the Python client from it.

    python scripts/generate_client.py

writes clients/python/openapi.json (the app's schema, keys sorted) and rewrites the generated
package clients/python/corebank_client/ with openapi-python-client (pinned in the dev extra), whose
settings and one template fix live next to it. tests/test_client_drift.py runs the same
`generate_package` into a temporary directory and compares: commit both after a change to
the API. Never touches clients/python/corebank_client_ext/ (hand-written).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CLIENT_DIR = ROOT / "clients" / "python"
SCHEMA = CLIENT_DIR / "openapi.json"
PACKAGE = CLIENT_DIR / "corebank_client"
CONFIG = CLIENT_DIR / "openapi-python-client.yaml"
# A copy of 0.29.1's endpoint template that also imports `Unset` (openapi-python-client#1451:
# the login body, JSON or form, is annotated `| Unset` without the import)
TEMPLATES = CLIENT_DIR / "templates"


def openapi_document() -> dict[str, Any]:
    """The schema of an app built from fixed settings, so that every machine dumps the same.

    No .env is read and no database is opened: building the app only wires its services. No
    setting from the environment reaches the document (its routes, models and descriptions
    depend on none), and the throwaway keys below never sign anything.
    """
    from corebank.attestation.signing import new_private_key_text
    from corebank.config import Settings
    from corebank.main import create_app

    settings = Settings(
        _env_file=None,
        environment="test",
        database_url="sqlite+aiosqlite:///:memory:",
        secret_key=secrets.token_urlsafe(48),
        attestation_signing_key=new_private_key_text(),
        log_level="WARNING",
        docs_enabled=True,
    )
    return create_app(settings).openapi()


def openapi_text() -> str:
    """The document as stable text: keys sorted, two-space indent, one final newline."""
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def generate_package(schema: Path, output: Path) -> None:
    """Generate the `corebank_client` package from `schema` into `output` (replaced)."""
    # the generator's hooks run `ruff`: the one installed next to this interpreter
    bin_dir = str(Path(sys.executable).parent)
    environment = os.environ | {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    command = [
        sys.executable,
        "-m",
        "openapi_python_client",
        "generate",
        "--path",
        str(schema),
        "--config",
        str(CONFIG),
        "--custom-template-path",
        str(TEMPLATES),
        "--meta",
        "none",
        "--output-path",
        str(output),
        "--overwrite",
    ]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0 or "Warning" in result.stdout or "Error" in result.stdout:
        raise RuntimeError(f"openapi-python-client failed:\n{result.stdout}\n{result.stderr}")
    # with no packaging metadata (--meta none) it writes no marker; the client is typed
    (output / "py.typed").write_text("")


def main() -> None:
    SCHEMA.write_text(openapi_text(), encoding="utf-8")
    generate_package(SCHEMA, PACKAGE)
    sys.stderr.write(f"wrote {SCHEMA.relative_to(ROOT)} and {PACKAGE.relative_to(ROOT)}/\n")


if __name__ == "__main__":
    main()
