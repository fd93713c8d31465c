"""Maker-checker for loans: above APPROVAL_THRESHOLD a staff approval waits for a second
person, and the loan is approved when they approve the request (docs/lending.md)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.lending.test_loans import API, Bank, application, bank, product

__all__ = ["bank"]  # the fixture


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"approval_threshold": "USD:5000.00"}


async def test_a_loan_above_the_approval_threshold_needs_a_second_person(
    app: Any, client: httpx.AsyncClient, bank: Bank
) -> None:
    made = await product(client, bank)
    loan, _ = await application(client, bank, made["id"])
    staff = await bank.headers("staff")

    waiting = await client.post(
        f"{API}/loans/{loan['id']}/approve", json={"reason": "good file"}, headers=staff
    )

    assert waiting.status_code == 202, waiting.text
    request = waiting.json()
    assert (request["operation"], request["amount"]) == ("loan_approval", "10000.00")
    shown = (await client.get(f"{API}/loans/{loan['id']}", headers=staff)).json()
    assert shown["status"] == "applied"
    own = await client.post(f"{API}/approvals/{request['id']}/approve", headers=staff)
    assert own.status_code == 403
    checker = await bank.headers("admin")
    approved = await client.post(f"{API}/approvals/{request['id']}/approve", headers=checker)
    assert approved.status_code == 200, approved.text
    shown = (await client.get(f"{API}/loans/{loan['id']}", headers=staff)).json()
    assert (shown["status"], shown["decision_reason"]) == ("approved", "good file")
    assert shown["decided_by"] == bank.admin.id
