"""`corebank attest`: fetch or read a signed ledger attestation and verify it; `attest write`
stores one in the series now; `attest keygen` makes a signing key."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from corebank.cli.common import load_settings, running

attest_app = typer.Typer(
    help="Signed attestations of the ledger (docs/ledger.md, 'Signed attestation').",
    invoke_without_command=True,
)

ATTESTATION_PATH = "/api/v1/ledger/attestation"
KEY_PATH = "/.well-known/corebank-attestation-key"


@attest_app.callback()
def attest(
    context: typer.Context,
    url: Annotated[
        str | None, typer.Option(help="The service's base URL: fetch a fresh attestation.")
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option(help="A saved attestation, or a JSON list of them oldest first (a series)."),
    ] = None,
    key: Annotated[
        Path | None,
        typer.Option(
            help="The public JWK to verify with (required with --file; with --url it "
            "pins the key instead of fetching it)."
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="COREBANK_TOKEN", help="An admin's access token (unless public)."),
    ] = None,
    max_age: Annotated[
        float, typer.Option(min=0, help="Seconds an attestation may be old; 0 = do not check.")
    ] = 300,
    previous: Annotated[
        Path | None, typer.Option(help="The attestation before it: check that it links to it.")
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="With --url: ask for a full check (admins).")
    ] = False,
    save: Annotated[
        Path | None, typer.Option(help="With --url: write the fetched attestation here.")
    ] = None,
) -> None:
    """Verify an attestation: its signature, its age, every invariant (and its link to the
    previous one). One line per check; exit 0 only when all hold, 1 otherwise."""
    if context.invoked_subcommand is not None:
        return
    if (url is None) == (file is None):
        typer.echo("give exactly one of --url or --file", err=True)
        raise typer.Exit(2)
    if url is not None:
        documents, jwk = _fetch(url, token=token, key=key, full=full)
        if save is not None:
            save.write_text(json.dumps(documents[0], indent=2))
    else:
        if key is None:
            typer.echo("--file needs --key (the public JWK)", err=True)
            raise typer.Exit(2)
        documents, jwk = _read_documents(file), _read_json(key)  # type: ignore[arg-type]
    before = _read_json(previous) if previous is not None else None
    raise typer.Exit(_report(documents, jwk, max_age=max_age, previous=before))


@attest_app.command("keygen")
def keygen() -> None:
    """Print a new ATTESTATION_SIGNING_KEY and, on the next line, its public JWK."""
    from corebank.attestation.signing import Signer, new_private_key_text

    value = new_private_key_text()
    typer.echo(value)
    typer.echo(json.dumps(Signer.from_text(value).jwk))


@attest_app.command("write")
def write(
    full: Annotated[
        bool, typer.Option("--full", help="Check the whole journal and rebuild the checkpoint.")
    ] = False,
) -> None:
    """Store a signed attestation in the series now; print its id and hash. Exit 1 if an
    invariant fails (it is stored all the same), 3 if another writer was storing one."""
    from corebank.attestation.errors import AttestationConflict
    from corebank.attestation.service import write_attestation

    async def _run() -> int:
        async with running(load_settings()) as container:
            try:
                stored = await write_attestation(container.attestation, full=full)
            except AttestationConflict as exc:
                typer.echo(exc.detail, err=True)
                return 3
        body = stored.document["attestation"]
        typer.echo(
            f"stored attestation {stored.id} hash {stored.hash} "
            f"({body['checkpoint']['mode']}): {'ok' if body['ok'] else 'BROKEN'}"
        )
        return 0 if body["ok"] else 1

    raise typer.Exit(asyncio.run(_run()))


def _report(
    documents: list[dict[str, Any]],
    jwk: dict[str, Any],
    *,
    max_age: float,
    previous: dict[str, Any] | None,
) -> int:
    from corebank.attestation.verification import check_document
    from corebank.models.base import utcnow

    failed = False
    for index, document in enumerate(documents):
        newest = index == len(documents) - 1
        before = documents[index - 1] if index else previous
        findings = check_document(
            document,
            jwk,
            now=utcnow() if newest else None,
            max_age_seconds=max_age,
            previous=before,
        )
        if len(documents) > 1:
            typer.echo(f"attestation {index + 1} of {len(documents)}")
        for finding in findings:
            typer.echo(finding.line())
            failed = failed or not finding.ok
    typer.echo("attestation verified" if not failed else "attestation NOT verified")
    return 1 if failed else 0


def _fetch(
    url: str, *, token: str | None, key: Path | None, full: bool
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    import httpx

    base = url.rstrip("/")
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with httpx.Client(timeout=120) as client:
            response = client.get(
                base + ATTESTATION_PATH, headers=headers, params={"full": "true"} if full else {}
            )
            if response.status_code != 200:
                typer.echo(f"{ATTESTATION_PATH}: HTTP {response.status_code}", err=True)
                raise typer.Exit(1)
            jwk = _read_json(key) if key is not None else client.get(base + KEY_PATH).json()
    except httpx.HTTPError as exc:
        typer.echo(f"cannot reach {base}: {type(exc).__name__}", err=True)
        raise typer.Exit(1) from None
    return [response.json()], jwk


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        typer.echo(f"cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from None


def _read_documents(path: Path) -> list[dict[str, Any]]:
    """One document, or a series: a list of documents (or of stored rows with `document`, as
    GET /ledger/attestations lists them), oldest first."""
    found = _read_json(path)
    items = found if isinstance(found, list) else [found]
    return [item.get("document", item) for item in items]
