"""`corebank ledger verify`: a clean ledger passes; every kind of tampering is named."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from corebank.accounts import service as accounts
from corebank.cli import app as cli
from corebank.config import Settings
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.ledger import holds, reversal, service
from corebank.ledger.context import LedgerContext
from corebank.ledger.verify import verify_ledger
from tests.ledger.helpers import insert_customer, service_actor, service_contexts, tamper

CLOCK = Clock()


async def seed(db: Database) -> dict[str, int]:
    """Two accounts with deposits, a transfer, a captured hold and a reversal."""
    async with service_contexts(db, CLOCK) as container:
        return await _seed(container.ledger)


async def _seed(ledger: LedgerContext) -> dict[str, int]:
    db = ledger.db
    staff = await service_actor(db, "staff")
    admin = await service_actor(db, "admin")
    ids = []
    for _ in range(2):
        customer = await insert_customer(db)
        account = await accounts.open_account(
            ledger.accounts,
            actor=staff,
            customer_id=customer.id,
            type="checking",
            currency="EUR",
            nickname=None,
        )
        ids.append(account.id)
        await service.deposit(
            ledger, actor=staff, account_id=account.id, amount="50.00", description=None
        )
    moved = await service.transfer(
        ledger,
        actor=staff,
        from_account_id=ids[0],
        to_account_id=ids[1],
        to_account_number=None,
        amount="7.25",
        description=None,
    )
    hold = await holds.create_hold(
        ledger,
        actor=staff,
        account_id=ids[1],
        amount="3.00",
        description=None,
        expires_in_seconds=None,
    )
    await holds.capture_hold(ledger, actor=staff, hold_id=hold.body["id"], amount="2.00")
    await holds.create_hold(
        ledger,
        actor=staff,
        account_id=ids[0],
        amount="1.00",
        description=None,
        expires_in_seconds=None,
    )
    await reversal.reverse(ledger, actor=admin, entry_id=moved.body["id"], reason="x")
    return {"a": ids[0], "b": ids[1], "transfer": moved.body["id"]}


async def test_clean_ledger_verifies(db: Database) -> None:
    await seed(db)
    report = await verify_ledger(db, batch=2)
    assert report.ok, report.problems
    assert (report.entries, report.postings) == (5, 10)
    assert report.accounts == 3  # two customer accounts and the EUR settlement account


async def test_verify_tells_its_progress_by_batch_of_rows(db: Database) -> None:
    await seed(db)
    told: list[int] = []
    report = await verify_ledger(db, batch=2, progress=told.append)
    # entries 2+2+1, postings 2*5, accounts 2+1
    assert told == [2, 2, 1, 2, 2, 2, 2, 2, 2, 1]
    assert sum(told) == report.entries + report.postings + report.accounts


async def test_journal_and_postings_refuse_update_and_delete(db: Database) -> None:
    await seed(db)
    for statement in (
        "UPDATE postings SET amount_minor = 1",
        "DELETE FROM postings",
        "UPDATE journal_entries SET description = 'x'",
        "DELETE FROM journal_entries",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.engine.begin() as connection:
                await connection.execute(text(statement))
    assert (await verify_ledger(db)).ok


TAMPERING = {
    "posting amount": (
        "postings",
        "UPDATE postings SET amount_minor = amount_minor + 1 WHERE id = 3",
        ["postings sum to", "balance_after", "stored balance"],
    ),
    "balance_after": (
        "postings",
        "UPDATE postings SET balance_after_minor = 999 WHERE id = 3",
        ["balance_after 999"],
    ),
    "stored balance": (
        "accounts",
        "UPDATE accounts SET balance_minor = balance_minor + 5 WHERE id = {a}",
        ["stored balance"],
    ),
    "held": ("accounts", "UPDATE accounts SET held_minor = 0 WHERE id = {a}", ["held 0"]),
    "deleted posting": (
        "postings",
        "DELETE FROM postings WHERE id = 4",
        ["has 1 posting", "postings sum to"],
    ),
    "overdrawn": (
        "accounts",
        "UPDATE accounts SET balance_minor = -100 WHERE id = {a}",
        ["below -0"],
    ),
}


@pytest.mark.parametrize("case", TAMPERING)
async def test_tampering_is_caught(db: Database, case: str) -> None:
    ids = await seed(db)
    table, sql, expected = TAMPERING[case]
    await tamper(db, table, sql.format(**ids))
    report = await verify_ledger(db, batch=3)
    assert not report.ok
    for fragment in expected:
        assert any(fragment in problem for problem in report.problems), (fragment, report)


def test_cli_verify_exit_codes(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ENVIRONMENT", "test")
    monkeypatch.chdir(tmp_path)

    async def prepare(corrupt: bool) -> None:
        fresh = Database(settings)
        try:
            if corrupt:
                await tamper(fresh, "postings", "UPDATE postings SET amount_minor = 1 WHERE id = 1")
            else:
                await seed(fresh)
        finally:
            await fresh.dispose()

    runner = CliRunner()
    asyncio.run(prepare(corrupt=False))
    monkeypatch.setenv("LOG_FORMAT", "console")  # off a terminal: no progress all the same
    clean = runner.invoke(cli, ["ledger", "verify"])
    assert clean.exit_code == 0, clean.output
    assert clean.output == "checked 5 entries, 10 postings, 3 accounts: ok\n"
    asyncio.run(prepare(corrupt=True))
    broken = runner.invoke(cli, ["ledger", "verify", "--batch", "2"])
    assert broken.exit_code == 1
    assert "VIOLATION entry 1" in broken.output
    swept = runner.invoke(cli, ["ledger", "sweep"])
    assert swept.exit_code == 0 and "expired 0 approval requests, 0 holds" in swept.output


async def test_an_entry_must_balance_in_each_currency(db: Database) -> None:
    """A multi-leg entry may post in several currencies, but each must sum to zero: -1.00 USD
    and +1.00 EUR sum to zero overall and is still reported, per entry and per currency."""
    ids = await seed(db)
    async with service_contexts(db, CLOCK) as container:
        customer = await insert_customer(db)
        usd = await accounts.open_account(
            container.accounts,
            actor=await service_actor(db, "staff"),
            customer_id=customer.id,
            type="checking",
            currency="USD",
            nickname=None,
        )
    assert (await verify_ledger(db)).ok
    async with db.engine.begin() as connection:
        entry_id = (
            await connection.execute(
                text(
                    "INSERT INTO journal_entries (type, currency, amount_minor, created_at) "
                    "VALUES ('multi_leg', 'USD', 100, CURRENT_TIMESTAMP) RETURNING id"
                )
            )
        ).scalar_one()
        for account_id, amount in ((usd.id, -100), (ids["a"], 100)):
            await connection.execute(
                text(
                    "INSERT INTO postings (entry_id, account_id, amount_minor, "
                    "balance_after_minor, created_at) "
                    "VALUES (:entry, :account, :amount, 0, CURRENT_TIMESTAMP)"
                ),
                {"entry": entry_id, "account": account_id, "amount": amount},
            )
    report = await verify_ledger(db, batch=3)
    assert f"entry {entry_id}: its EUR postings sum to 100, not 0" in report.problems
    assert f"entry {entry_id}: its USD postings sum to -100, not 0" in report.problems
    assert f"entry {entry_id}: amount 100 but postings credit 0 USD" in report.problems
    assert not any(p.startswith(f"entry {entry_id}: postings sum to") for p in report.problems)
