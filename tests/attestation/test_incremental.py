"""Incremental checks: an attestation checks only the entries after the checkpoint and
states the same books as a full check; the checkpoint moves only over settled entries and
never while an invariant fails."""

from __future__ import annotations

from typing import Any

import httpx

from tests.attestation.helpers import ATTESTATION, more_postings, small_ledger
from tests.ledger.helpers import tamper
from tests.support import login_as

STATED = ("ok", "invariants", "currencies", "journal", "audit", "schema_version")


def stated(document: dict[str, Any]) -> dict[str, Any]:
    return {name: document["attestation"][name] for name in STATED}


async def test_incremental_equals_full_after_more_postings(
    client: httpx.AsyncClient, app: Any, clock: Any
) -> None:
    ledger = await small_ledger(client, app)
    _, admin = await login_as(app, "admin")
    clock.advance(minutes=10)  # the 4 entries are now older than ATTESTATION_SETTLE_SECONDS
    first = (await client.get(ATTESTATION, headers=admin)).json()["attestation"]
    assert first["checkpoint"] == {
        "mode": "full",
        "after_entry_id": 0,
        "through_entry_id": 4,
        "entries_checked": 4,
        "postings_checked": 8,
        "checkpoint_entry_id": 4,
    }

    await more_postings(client, ledger["staff"], ledger["first"]["id"])  # entries 5 and 6
    incremental = (await client.get(ATTESTATION, headers=admin)).json()
    assert incremental["attestation"]["checkpoint"] == {
        "mode": "incremental",
        "after_entry_id": 4,
        "through_entry_id": 6,
        "entries_checked": 2,
        "postings_checked": 4,
        "checkpoint_entry_id": 4,  # entries 5 and 6 are not settled yet
    }
    full = (await client.get(ATTESTATION, params={"full": "true"}, headers=admin)).json()
    assert full["attestation"]["checkpoint"]["entries_checked"] == 6
    assert stated(incremental) == stated(full)
    assert incremental["attestation"]["journal"] == {
        "entries": 6,
        "last_entry_id": 6,
        "postings": 12,
    }
    assert incremental["attestation"]["currencies"]["USD"]["balances"] == "0.00"

    clock.advance(minutes=10)
    settled = (await client.get(ATTESTATION, headers=admin)).json()["attestation"]
    assert settled["checkpoint"]["checkpoint_entry_id"] == 6
    await more_postings(client, ledger["staff"], ledger["second"]["id"])
    later = (await client.get(ATTESTATION, headers=admin)).json()
    assert later["attestation"]["checkpoint"]["after_entry_id"] == 6
    assert later["attestation"]["checkpoint"]["entries_checked"] == 2
    again = (await client.get(ATTESTATION, params={"full": "true"}, headers=admin)).json()
    assert stated(later) == stated(again)
    assert later["attestation"]["ok"] is True


async def test_a_broken_posting_after_the_checkpoint_is_found_and_holds_it_back(
    client: httpx.AsyncClient, app: Any, clock: Any
) -> None:
    ledger = await small_ledger(client, app)
    _, admin = await login_as(app, "admin")
    clock.advance(minutes=10)
    assert (await client.get(ATTESTATION, headers=admin)).json()["attestation"]["ok"] is True
    await more_postings(client, ledger["staff"], ledger["first"]["id"])
    await tamper(
        app.state.container.db,
        "postings",
        "UPDATE postings SET balance_after_minor = balance_after_minor + 5 "
        "WHERE id = (SELECT max(id) FROM postings)",
    )
    clock.advance(minutes=10)
    body = (await client.get(ATTESTATION, headers=admin)).json()["attestation"]
    assert body["ok"] is False
    assert body["checkpoint"]["mode"] == "incremental"
    failed = [check["name"] for check in body["invariants"] if not check["ok"]]
    assert failed == ["balance_chains"]
    assert body["checkpoint"]["checkpoint_entry_id"] == 4  # not moved past the failure
    again = (await client.get(ATTESTATION, headers=admin)).json()["attestation"]
    assert again["checkpoint"]["after_entry_id"] == 4  # still reported from there
    assert [check["name"] for check in again["invariants"] if not check["ok"]] == failed
