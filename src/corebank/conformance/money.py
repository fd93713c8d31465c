"""Money invariants on the run's throwaway accounts, moved by the admin: idempotent replays,
conservation, refusals that move nothing, the overdraft limit and a reversal that happens once.

Amounts stay at most 1.61 (in the currency's units), so a deployment's maker-checker threshold
is not reached; a movement that still answers 202 is documented behaviour (approvals.md): its
check is skipped, the held money is released at cleanup, and the checks after it are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from corebank.conformance.client import API, expect_problem, expect_status, json_of
from corebank.conformance.results import CheckFailed, Outcome, Report, Skipped
from corebank.conformance.throwaway import Account, Throwaway

DEPOSIT = 100
TRANSFER = 40
OVERDRAFT_LIMIT = 100


class AwaitingApproval(Skipped):
    """A movement answered 202: maker-checker holds it, so what follows cannot be checked."""


@dataclass
class Money:
    data: Throwaway
    report: Report
    source: Account
    payee: Account
    halted: str = ""

    def check(self, name: str, step: Callable[[], None]) -> None:
        if self.halted:
            self.report.skip(name, self.halted)
            return
        with self.report.check(name):
            try:
                step()
            except AwaitingApproval as waiting:
                self.halted = f"an earlier movement waits for approval ({waiting})"
                raise
        if self.report.results[-1].outcome is Outcome.failed:
            self.halted = f"{name} failed, and this check builds on it"

    def run(self) -> None:
        self.check("money.deposit", self._deposit)
        self.check("idempotency.replay", self._replay)
        self.check("idempotency.key_reused", self._key_reused)
        self.check("money.transfer_conserves", self._transfer_conserves)
        self.check("money.refusal_moves_nothing", self._refusal_moves_nothing)
        self.check("money.overdraft_limit", self._overdraft_limit)
        self.check("money.reversal_once", self._reversal_once)

    def _deposit(self) -> None:
        self.deposit_key = self.data.key()
        self.deposit_body = {"amount": self.source.amount(DEPOSIT), "description": "conformance"}
        path = f"accounts/{self.source.id}/deposits"
        response = self._move(path, self.deposit_body, key=self.deposit_key)
        self.deposit = json_of(response)
        self._postings_balance(response)
        self._expect_balances(response, DEPOSIT, 0)

    def _replay(self) -> None:
        response = self._post(
            f"accounts/{self.source.id}/deposits", self.deposit_body, key=self.deposit_key
        )
        expect_status(response, 201)
        if response.headers.get("idempotency-replayed") != "true":
            raise CheckFailed("a replay without Idempotency-Replayed: true", response)
        if json_of(response)["id"] != self.deposit["id"]:
            raise CheckFailed("the replay answered another transaction", response)
        self._expect_balances(response, DEPOSIT, 0)

    def _key_reused(self) -> None:
        other = {**self.deposit_body, "amount": self.source.amount(2 * DEPOSIT)}
        response = self._post(f"accounts/{self.source.id}/deposits", other, key=self.deposit_key)
        expect_problem(response, (409, 422), "idempotency-key-reused")
        self._expect_balances(response, DEPOSIT, 0)

    def _transfer_conserves(self) -> None:
        response = self._transfer(self.source, self.payee, TRANSFER)
        self._postings_balance(response)
        self._expect_balances(response, DEPOSIT - TRANSFER, TRANSFER)

    def _refusal_moves_nothing(self) -> None:
        history = self._history_length(self.payee)
        response = self._post("transfers", self._transfer_body(self.payee, self.source, 41))
        expect_problem(response, (422,), "insufficient-funds")
        self._expect_balances(response, DEPOSIT - TRANSFER, TRANSFER)
        if self._history_length(self.payee) != history:
            raise CheckFailed("a refused transfer left a line in the history", response)

    def _overdraft_limit(self) -> None:
        """Spending down to exactly minus the limit works; one minor unit more is refused."""
        patch = {"overdraft_limit": self.source.amount(OVERDRAFT_LIMIT)}
        response = self.data.client.request(
            "PATCH", f"{API}/accounts/{self.source.id}", json=patch, token=self.data.admin
        )
        expect_status(response, 200)
        spendable = DEPOSIT - TRANSFER + OVERDRAFT_LIMIT
        too_much = self._transfer_body(self.source, self.payee, spendable + 1)
        refused = self._post("transfers", too_much)
        expect_problem(refused, (422,), "insufficient-funds")
        self._expect_balances(refused, DEPOSIT - TRANSFER, TRANSFER)
        response = self._transfer(self.source, self.payee, spendable)
        self.overdrawing = json_of(response)
        self._expect_balances(response, -OVERDRAFT_LIMIT, DEPOSIT + OVERDRAFT_LIMIT)

    def _reversal_once(self) -> None:
        path = f"transactions/{self.overdrawing['id']}/reverse"
        body = {"reason": "conformance suite: reversal check"}
        response = self._move(path, body)
        self._postings_balance(response)
        self._expect_balances(response, DEPOSIT - TRANSFER, TRANSFER)
        again = self._post(path, body)
        expect_problem(again, (409,), "already-reversed")
        self._expect_balances(again, DEPOSIT - TRANSFER, TRANSFER)

    def _transfer(self, source: Account, payee: Account, minor: int) -> httpx.Response:
        return self._move("transfers", self._transfer_body(source, payee, minor))

    def _transfer_body(self, source: Account, payee: Account, minor: int) -> dict:
        return {
            "from_account_id": source.id,
            "to_account_id": payee.id,
            "amount": source.amount(minor),
            "description": "conformance",
        }

    def _move(self, path: str, body: dict, *, key: str | None = None) -> httpx.Response:
        """A movement that should post: 201, or 202 when maker-checker holds it."""
        response = expect_status(self._post(path, body, key=key), 201, 202)
        if response.status_code == 202:
            self.data.hold_ids.extend(json_of(response).get("hold_ids") or [])
            raise AwaitingApproval(f"{response.request.method} {response.request.url.path}: 202")
        return response

    def _post(self, path: str, body: dict, *, key: str | None = None) -> httpx.Response:
        headers = {"Idempotency-Key": key or self.data.key()}
        return self.data.client.post(
            f"{API}/{path}", json=body, token=self.data.admin, headers=headers
        )

    def _postings_balance(self, response: httpx.Response) -> None:
        postings = json_of(response).get("postings") or []
        if len(postings) < 2 or sum(self.source.minor(p["amount"]) for p in postings) != 0:
            raise CheckFailed("the entry's postings do not sum to zero", response)

    def _expect_balances(self, response: httpx.Response, source: int, payee: int) -> None:
        """Both throwaway balances as expected: money neither lost nor invented."""
        seen = (self.data.balance(self.source), self.data.balance(self.payee))
        if seen != (source, payee):
            shown = ", ".join(self.source.amount(minor) for minor in seen)
            wanted = f"{self.source.amount(source)}, {self.source.amount(payee)}"
            raise CheckFailed(f"balances {shown}, expected {wanted}", response)

    def _history_length(self, account: Account) -> int:
        response = self.data.client.get(
            f"{API}/accounts/{account.id}/transactions",
            params={"limit": 200},
            token=self.data.admin,
        )
        return len(json_of(expect_status(response, 200))["items"])
