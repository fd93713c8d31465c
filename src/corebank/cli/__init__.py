"""The `corebank` command."""

from __future__ import annotations

import asyncio
import os
import secrets
from typing import TYPE_CHECKING, Annotated

import typer

from corebank import __version__
from corebank.cli.attest import attest_app
from corebank.cli.common import load_settings, running
from corebank.cli.conformance import conformance
from corebank.cli.maintenance import audit_app, ledger_app
from corebank.identity.session_cache import cache_enabled
from corebank.serving import DEFAULT_EVENT_LOOP, EventLoop

if TYPE_CHECKING:
    from corebank.identity.context import AuthContext

app = typer.Typer(help="corebank: a banking API on a double-entry ledger.", no_args_is_help=True)
app.add_typer(attest_app, name="attest")
app.add_typer(audit_app, name="audit")
app.add_typer(ledger_app, name="ledger")
app.command()(conformance)


@app.command()
def version() -> None:
    """Print the version."""
    typer.echo(__version__)


@app.command()
def migrate() -> None:
    """Upgrade the database to the newest migration."""
    from corebank.core.db import create_engine
    from corebank.core.migrate import reporting, upgrade

    settings = load_settings()

    async def _run() -> None:
        engine = create_engine(settings)
        try:
            await upgrade(engine)
        finally:
            await engine.dispose()

    with reporting(typer.echo):
        asyncio.run(_run())
    typer.echo("database is at the newest migration")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    loop: Annotated[
        EventLoop,
        typer.Option(
            help="Event loop: auto (uvloop if installed), or asyncio's own (fairer to every "
            "connection when saturated, slower)."
        ),
    ] = DEFAULT_EVENT_LOOP,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Apply migrations before serving.")
    ] = True,
) -> None:
    """Run the API server (uvicorn)."""
    if workers > 1 and not reload:
        _prepare_multiprocess_metrics()
    import uvicorn

    settings = load_settings()
    if workers > 1 and not settings.redis_url and settings.cache_enabled:
        # Each worker's in-process cache would go stale when another worker writes.
        typer.echo("several workers without REDIS_URL: the record cache is off", err=True)
        os.environ["CACHE_ENABLED"] = "false"
    if workers > 1 and not settings.redis_url and cache_enabled(settings):
        # A revocation on one worker could not reach another worker's cached session checks.
        typer.echo("several workers without REDIS_URL: the session cache is off", err=True)
        os.environ["SESSION_CACHE_ENABLED"] = "false"
    if settings.secret_key is None:
        # One random key shared by every worker of this run (development only; production
        # refuses to start without SECRET_KEY).
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
    if settings.attestation_signing_key is None:
        # Likewise one attestation key for every worker, so the key any of them serves
        # verifies what any of them signs.
        from corebank.attestation.signing import new_private_key_text

        os.environ["ATTESTATION_SIGNING_KEY"] = new_private_key_text()
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
        loop=loop.value,
    )


@app.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due, then exit.")] = False,
) -> None:
    """Run the outbox dispatcher (webhooks, e-mail) and the audit sealer as their own process,
    store a ledger attestation every ATTESTATION_INTERVAL_SECONDS and run `ledger sweep` every
    SWEEP_INTERVAL_SECONDS (each when set)."""
    from corebank.attestation.schedule import write_if_due
    from corebank.cli.common import periodic
    from corebank.cli.maintenance import sweep_once
    from corebank.core.logging import configure_logging
    from corebank.events.worker import run_worker

    settings = load_settings()
    configure_logging(level=settings.log_level, fmt=settings.effective_log_format)

    async def _run() -> None:
        async with running(settings) as container:
            if once:
                await run_worker(container.dispatcher, container.audit_sealer, once=True)
                return
            interval = settings.attestation_interval_seconds
            async with (
                periodic(
                    lambda: write_if_due(container.attestation, interval_seconds=interval or 0),
                    interval,
                    name="attestation",
                ),
                periodic(
                    lambda: sweep_once(container), settings.sweep_interval_seconds, name="sweep"
                ),
            ):
                await run_worker(container.dispatcher, container.audit_sealer)

    asyncio.run(_run())


@app.command("generate-mfa-key")
def generate_mfa_key(
    key_id: Annotated[
        str, typer.Option(help="A name for the key (rotation keeps several).")
    ] = "k1",
) -> None:
    """Print a new MFA_ENCRYPTION_KEY value (`id:key`); put it first to rotate keys."""
    from cryptography.fernet import Fernet

    typer.echo(f"{key_id}:{Fernet.generate_key().decode()}")


@app.command("create-admin")
def create_admin(
    email: Annotated[str, typer.Option(help="The admin's e-mail (their login).")],
    password: Annotated[
        str, typer.Option(help="Checked against the password policy.", envvar="ADMIN_PASSWORD")
    ],
    full_name: Annotated[str, typer.Option(help="Display name.")] = "Administrator",
) -> None:
    """Create an admin user (non-interactive). Exits 1 if the e-mail exists, 2 if refused."""
    from corebank.core.errors import Conflict, ValidationFailed

    settings = load_settings()

    async def _run() -> int:
        async with running(settings) as container:
            try:
                await _create_admin(
                    container.auth, email=email, password=password, full_name=full_name
                )
            except Conflict:
                typer.echo(f"a user with e-mail {email} already exists", err=True)
                return 1
            except ValidationFailed as exc:
                typer.echo(f"refused: {exc.detail}", err=True)
                for error in exc.extra.get("errors", []):
                    typer.echo(f"  - {error['msg']}", err=True)
                return 2
        typer.echo(f"admin {email} created")
        return 0

    raise typer.Exit(asyncio.run(_run()))


async def _create_admin(ctx: AuthContext, *, email: str, password: str, full_name: str) -> None:
    from corebank.core.errors import ValidationFailed
    from corebank.identity.service import create_user
    from corebank.models.user import Role

    try:
        from email_validator import EmailNotValidError, validate_email

        normalized = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationFailed(f"invalid e-mail: {exc}") from None
    await create_user(
        ctx,
        email=normalized,
        password=password,
        full_name=full_name,
        username=None,
        role=Role.admin,
        actor_id=None,
    )


def _prepare_multiprocess_metrics() -> None:
    """Give the workers one fresh directory to share Prometheus counters through."""
    import shutil
    import tempfile

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="corebank-metrics-"
    )
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
