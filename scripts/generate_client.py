"""`make client`: dump the OpenAPI document and regenerate the Python client from it.

    python scripts/generate_client.py

writes clients/python/openapi.json (`corebank openapi`) and rewrites the generated package
clients/python/corebank_client/ with openapi-python-client (pinned in the dev extra), whose
settings and one template fix live next to it. tests/test_client_drift.py runs the same
`generate_package` into a temporary directory and compares: commit both after a change to
the API. Never touches clients/python/corebank_client_ext/ (hand-written).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENT_DIR = ROOT / "clients" / "python"
SCHEMA = CLIENT_DIR / "openapi.json"
PACKAGE = CLIENT_DIR / "corebank_client"
CONFIG = CLIENT_DIR / "openapi-python-client.yaml"
# A copy of 0.29.1's endpoint template that also imports `Unset` (openapi-python-client#1451:
# the login body, JSON or form, is annotated `| Unset` without the import)
TEMPLATES = CLIENT_DIR / "templates"


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
    from corebank.cli.schema import openapi_text

    SCHEMA.write_text(openapi_text(), encoding="utf-8")
    generate_package(SCHEMA, PACKAGE)
    sys.stderr.write(f"wrote {SCHEMA.relative_to(ROOT)} and {PACKAGE.relative_to(ROOT)}/\n")


if __name__ == "__main__":
    main()
