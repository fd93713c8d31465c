"""The `corebank` command."""

from __future__ import annotations

import asyncio
import os
import secrets
from typing import Annotated

import typer

from corebank import __version__
from corebank.config import Settings

app = typer.Typer(help="corebank: a banking API on a double-entry ledger.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@app.command()
def migrate() -> None:
    """Upgrade the database to the newest migration."""
    from corebank.core.db import create_engine
    from corebank.core.migrate import upgrade

    settings = _settings()

    async def _run() -> None:
        engine = create_engine(settings)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    asyncio.run(_run())
    typer.echo("database is at the newest migration")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Apply migrations before serving.")
    ] = True,
) -> None:
    """Run the API server (uvicorn)."""
    import uvicorn

    settings = _settings()
    if settings.secret_key is None:
        # One random key shared by every worker of this run (development only; production
        # refuses to start without SECRET_KEY).
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
    if migrate_first:
        migrate()
    uvicorn.run(
        "corebank.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=None if reload else workers,
        reload=reload,
        server_header=False,
        proxy_headers=False,
        log_config=None,
        timeout_graceful_shutdown=20,
    )


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit chain; exit 1 naming every changed, removed or inserted row."""
    from corebank.core.audit import verify_chain
    from corebank.core.db import Database

    async def _run() -> int:
        db = Database(_settings())
        try:
            async with db.session() as session:
                report = await verify_chain(session)
        finally:
            await db.dispose()
        for problem in report.problems:
            typer.echo(f"VIOLATION {problem}", err=True)
        typer.echo(f"checked {report.checked} audit rows: {'ok' if report.ok else 'BROKEN'}")
        return 0 if report.ok else 1

    raise typer.Exit(asyncio.run(_run()))
