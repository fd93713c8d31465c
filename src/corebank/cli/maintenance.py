"""`corebank audit ...` and `corebank ledger ...`: checks and periodic jobs, each running on
the services the composition root builds (no database or clock of their own)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Annotated

import typer

from corebank.cli.common import load_settings, progress, running

if TYPE_CHECKING:
    from corebank.container import Container

audit_app = typer.Typer(help="The audit trail.", no_args_is_help=True)
ledger_app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit chain; exit 1 naming every changed, removed or inserted sealed row.

    Rows not sealed yet are counted as pending, not failures.
    """
    from corebank.core.audit import verify_chain

    settings = load_settings()

    async def _run() -> int:
        async with (
            running(settings) as container,
            container.db.session() as session,
        ):
            with progress(settings, "audit verify", unit="sealed rows checked") as advance:
                report = await verify_chain(session, progress=advance)
        for problem in report.problems:
            typer.echo(f"VIOLATION {problem}", err=True)
        typer.echo(
            f"checked {report.checked} sealed audit rows, {report.pending} pending: "
            f"{'ok' if report.ok else 'BROKEN'}"
        )
        return 0 if report.ok else 1

    raise typer.Exit(asyncio.run(_run()))


@audit_app.command("seal")
def audit_seal() -> None:
    """Seal every committed audit row not sealed yet (the app and the worker do it too)."""
    from corebank.core.audit_sealer import seal

    async def _run() -> int:
        async with running(load_settings()) as container:
            return await seal(container.db)

    typer.echo(f"sealed {asyncio.run(_run())} audit rows")


@ledger_app.command("verify")
def ledger_verify(
    batch: Annotated[int, typer.Option(min=1, help="Rows read per query.")] = 1000,
) -> None:
    """Check every ledger invariant; exit 1 naming each violation."""
    from corebank.ledger.verify import verify_ledger

    settings = load_settings()

    async def _run() -> int:
        async with running(settings) as container:
            with progress(settings, "ledger verify", unit="rows checked") as advance:
                report = await verify_ledger(container.db, batch=batch, progress=advance)
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


async def sweep_once(container: Container) -> tuple[int, int, int, int]:
    """One sweep (`ledger sweep`, and `corebank worker` every SWEEP_INTERVAL_SECONDS): approval
    requests expired, holds expired, idempotency keys purged, loans that became overdue."""
    from corebank.accounts.expiry import expire_due_holds
    from corebank.approvals.service import expire_due
    from corebank.ledger.idempotency import purge_expired
    from corebank.lending.delinquency import sweep as assess_loans

    now = container.clock.now()
    return (
        await expire_due(container.approvals, now=now),
        await expire_due_holds(container.db, now),
        await purge_expired(container.db, now=now),
        await assess_loans(container.db, now=now),
    )


@ledger_app.command("sweep")
def ledger_sweep() -> None:
    """Expire approval requests past APPROVAL_TTL (voiding their holds), holds past their
    expiry, delete idempotency keys past their 24 hours, and assess loans (overdue
    installments, late fees, days past due)."""

    async def _run() -> tuple[int, int, int, int]:
        async with running(load_settings()) as container:
            return await sweep_once(container)

    approvals, holds, keys, overdue = asyncio.run(_run())
    typer.echo(
        f"expired {approvals} approval requests, {holds} holds, purged {keys} idempotency keys; "
        f"{overdue} loans became overdue"
    )
