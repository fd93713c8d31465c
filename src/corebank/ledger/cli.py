"""`corebank ledger ...`: verify the ledger's invariants; expire due holds and old keys."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from corebank.config import Settings

ledger_app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        typer.echo(f"configuration error: {exc}", err=True)
        raise typer.Exit(2) from None


@ledger_app.command("verify")
def verify(
    batch: Annotated[int, typer.Option(min=1, help="Rows read per query.")] = 1000,
) -> None:
    """Check every ledger invariant; exit 1 naming each violation."""
    from corebank.core.db import Database
    from corebank.ledger.verify import verify_ledger

    async def _run() -> int:
        db = Database(_settings())
        try:
            report = await verify_ledger(db, batch=batch)
        finally:
            await db.dispose()
        for problem in report.problems:
            typer.echo(f"VIOLATION {problem}", err=True)
        for note in report.notes:
            typer.echo(f"NOTE {note}")
        typer.echo(
            f"checked {report.entries} entries, {report.postings} postings, "
            f"{report.accounts} accounts: {'ok' if report.ok else 'BROKEN'}"
        )
        return 0 if report.ok else 1

    raise typer.Exit(asyncio.run(_run()))


@ledger_app.command("sweep")
def sweep() -> None:
    """Expire holds past their expiry and delete idempotency keys past their 24 hours."""
    from corebank.accounts.expiry import expire_due_holds
    from corebank.core.clock import Clock
    from corebank.core.db import Database
    from corebank.ledger.idempotency import purge_expired

    async def _run() -> tuple[int, int]:
        db = Database(_settings())
        try:
            now = Clock().now()
            return await expire_due_holds(db, now), await purge_expired(db, now=now)
        finally:
            await db.dispose()

    holds, keys = asyncio.run(_run())
    typer.echo(f"expired {holds} holds, purged {keys} idempotency keys")
