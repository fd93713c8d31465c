"""The data a run creates, all under its unique prefix, and its cleanup: money moved out,
accounts closed, customers and users soft-deleted. Nothing else is read or changed."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from corebank.conformance.client import API, Client, expect_status, json_of
from corebank.conformance.results import CheckFailed, Report

EMAIL_DOMAIN = "example.com"
PHONE_ATTEMPTS = 5


def new_prefix() -> str:
    """`conf-<UTC timestamp>-<random>`: unique per run; every e-mail it makes starts with it."""
    return f"conf-{datetime.now(UTC):%Y%m%d%H%M%S}-{secrets.token_hex(3)}"


def strong_password() -> str:
    """Random, with every character class the default policy asks for."""
    return f"{secrets.token_urlsafe(18)}aZ7!"


@dataclass
class User:
    id: int
    email: str
    password: str


@dataclass
class Account:
    id: int
    customer_id: int
    digits: int

    def amount(self, minor: int) -> str:
        """Minor units as the API's decimal string in this account's currency."""
        if self.digits == 0:
            return str(minor)
        sign = "-" if minor < 0 else ""
        whole, fraction = divmod(abs(minor), 10**self.digits)
        return f"{sign}{whole}.{fraction:0{self.digits}d}"

    def minor(self, text: str) -> int:
        whole, _, fraction = text.lstrip("-").partition(".")
        value = int(whole) * 10**self.digits + int(fraction or 0)
        return -value if text.startswith("-") else value


@dataclass
class Throwaway:
    client: Client
    admin: str
    prefix: str
    currency: str
    users: list[User] = field(default_factory=list)
    customer_ids: list[int] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    #: Holds of movements that answered 202 (maker-checker): voided before closing.
    hold_ids: list[int] = field(default_factory=list)
    counter: int = 0

    def email(self, label: str) -> str:
        return f"{self.prefix}-{label}@{EMAIL_DOMAIN}"

    def key(self) -> str:
        """A fresh Idempotency-Key under the prefix."""
        self.counter += 1
        return f"{self.prefix}-{self.counter}"

    def create_user(self, label: str) -> User:
        user = User(0, self.email(label), strong_password())
        body = {
            "email": user.email,
            "password": user.password,
            "full_name": "Conformance Throwaway",
            "role": "customer",
        }
        response = self.client.post(f"{API}/users", json=body, token=self.admin)
        user.id = json_of(expect_status(response, 201))["id"]
        self.users.append(user)
        return user

    def create_customer(self, label: str, *, user_id: int | None, credit_limit: str) -> int:
        body = {
            "first_name": "Conformance",
            "last_name": "Throwaway",
            "email": self.email(label),
            "credit_limit": credit_limit,
            "user_id": user_id,
        }
        for _ in range(PHONE_ATTEMPTS):  # a random number may be a real customer's: try another
            body["phone"] = "+1202" + "".join(secrets.choice(string.digits) for _ in range(7))
            response = self.client.post(f"{API}/customers", json=body, token=self.admin)
            if response.status_code == 201:
                customer_id = json_of(response)["id"]
                self.customer_ids.append(customer_id)
                return customer_id
            if response.status_code not in (409, 422):
                break
        raise CheckFailed("could not create a throwaway customer", response)

    def open_account(self, customer_id: int) -> Account:
        body = {"customer_id": customer_id, "type": "checking", "currency": self.currency}
        response = self.client.post(f"{API}/accounts", json=body, token=self.admin)
        created = json_of(expect_status(response, 201))
        balance = created["balance"]
        digits = len(balance.partition(".")[2])
        account = Account(created["id"], customer_id, digits)
        self.accounts.append(account)
        return account

    def balance(self, account: Account) -> int:
        response = self.client.get(f"{API}/accounts/{account.id}", token=self.admin)
        return account.minor(json_of(expect_status(response, 200))["balance"])

    def clean_up(self, report: Report) -> None:
        """Each step recorded as a check: what it could not undo is reported, not hidden."""
        with report.check("cleanup.accounts_closed"):
            for hold_id in self.hold_ids:
                expect_status(self._post(f"{API}/holds/{hold_id}/void", {}), 200)
            for account in self.accounts:
                self._empty_and_close(account, report)
        with report.check("cleanup.customers_deleted"):
            for customer_id in self.customer_ids:
                response = self.client.request(
                    "DELETE", f"{API}/customers/{customer_id}", token=self.admin
                )
                expect_status(response, 204)
        with report.check("cleanup.users_deleted"):
            for user in self.users:
                response = self.client.request("DELETE", f"{API}/users/{user.id}", token=self.admin)
                expect_status(response, 204)

    def _empty_and_close(self, account: Account, report: Report) -> None:
        balance = self.balance(account)
        if balance:
            route = "withdrawals" if balance > 0 else "deposits"
            body = {"amount": account.amount(abs(balance)), "description": self.prefix}
            expect_status(self._post(f"{API}/accounts/{account.id}/{route}", body), 201)
        response = expect_status(self._post(f"{API}/accounts/{account.id}/close", {}), 200, 202)
        if response.status_code == 202:
            report.notes.append(
                f"closing account {account.id} waits for approval (APPROVAL_OPERATIONS "
                "includes account_closure): a checker must approve or reject it"
            )

    def _post(self, path: str, body: dict) -> httpx.Response:
        headers = {"Idempotency-Key": self.key()}
        return self.client.post(path, json=body, token=self.admin, headers=headers)
