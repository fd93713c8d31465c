"""`corebank conformance`: run the black-box suite against a deployment (docs/conformance.md)."""

from __future__ import annotations

from typing import Annotated

import typer

from corebank.cli.common import progress
from corebank.conformance.results import render_json, render_table
from corebank.conformance.runner import Options, run
from corebank.conformance.session import Credentials


def conformance(
    base_url: Annotated[str, typer.Option(help="The deployment, e.g. https://api.bank.example.")],
    admin_email: Annotated[str | None, typer.Option(help="An admin's e-mail (login).")] = None,
    admin_password: Annotated[
        str | None,
        typer.Option(envvar="COREBANK_ADMIN_PASSWORD", help="The admin's password (or the env)."),
    ] = None,
    admin_totp_secret: Annotated[
        str | None,
        typer.Option(
            envvar="COREBANK_ADMIN_TOTP_SECRET",
            help="The admin's TOTP secret, when the admin has a second factor.",
        ),
    ] = None,
    admin_token: Annotated[
        str | None,
        typer.Option(envvar="COREBANK_ADMIN_TOKEN", help="An admin access token instead."),
    ] = None,
    read_only: Annotated[
        bool, typer.Option("--read-only", help="Skip every check that writes.")
    ] = False,
    currency: Annotated[str, typer.Option(help="The throwaway accounts' currency.")] = "USD",
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON, not a table.")] = False,
) -> None:
    """Check a running deployment against the documented contract; exit 1 on any failure."""
    credentials = Credentials(admin_email, admin_password, admin_totp_secret, admin_token)
    options = Options(base_url, credentials, read_only=read_only, currency=currency)
    with progress(None, "conformance", unit="checks") as advance:
        report = run(options, on_check=None if json_output else advance)
    typer.echo(render_json(report) if json_output else render_table(report))
    raise typer.Exit(report.exit_code)
