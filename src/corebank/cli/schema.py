"""`corebank openapi`: the API's OpenAPI document, the source the clients are generated from
(clients/, docs/clients.md)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated, Any

import typer


def openapi_document() -> dict[str, Any]:
    """The schema of an app built from fixed settings, so that every machine dumps the same.

    No .env is read and no database is opened: building the app only wires its services. A
    setting read from the environment does not reach the document (its routes, models and
    descriptions do not depend on one), and the throwaway keys below never sign anything.
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


def openapi(
    output: Annotated[
        Path | None, typer.Option(help="Write the document here instead of to stdout.")
    ] = None,
) -> None:
    """Print the OpenAPI document (what /api/v1/openapi.json serves), keys sorted."""
    text = openapi_text()
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {output}", err=True)
