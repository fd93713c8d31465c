"""Auth rules that need throwaway users: what a customer may not do or see, refresh rotation,
logout, and the login lockout (on a user of its own, never the admin)."""

from __future__ import annotations

from corebank.conformance.client import API, expect_problem, expect_status, json_of
from corebank.conformance.results import CheckFailed, Report
from corebank.conformance.session import Tokens, password_login
from corebank.conformance.throwaway import Account, Throwaway, User

#: Stop guessing after this many wrong passwords if no lockout has answered by then.
MAX_WRONG_PASSWORDS = 10


def check_customer_rules(
    data: Throwaway, report: Report, customer: User, own: Account, other: Account
) -> None:
    """A customer's token: staff routes refused, another customer's account hidden, then the
    refresh token rotates once and logout kills the access token."""
    tokens: Tokens | None = None
    with report.check("auth.customer_login"):
        tokens = password_login(data.client, customer.email, customer.password)
    if tokens is None:
        for name in ("auth.role_staff_only", "auth.others_hidden", "auth.refresh_rotation"):
            report.skip(name, "the throwaway customer could not log in")
        report.skip("auth.logout_refuses_token", "the throwaway customer could not log in")
        return
    with report.check("auth.role_staff_only"):
        expect_problem(data.client.get(f"{API}/users", token=tokens.access), (403,))
        deposit = data.client.post(
            f"{API}/accounts/{own.id}/deposits",
            json={"amount": own.amount(1)},
            headers={"Idempotency-Key": data.key()},
            token=tokens.access,
        )
        expect_problem(deposit, (403,))
    with report.check("auth.others_hidden"):
        expect_status(data.client.get(f"{API}/accounts/{own.id}", token=tokens.access), 200)
        hidden = data.client.get(f"{API}/accounts/{other.id}", token=tokens.access)
        expect_problem(hidden, (404,))
    with report.check("auth.refresh_rotation"):
        tokens = _rotate(data, tokens)
    with report.check("auth.logout_refuses_token"):
        expect_status(data.client.post(f"{API}/auth/logout", token=tokens.access), 204)
        expect_problem(data.client.get(f"{API}/users/me", token=tokens.access), (401,))


def _rotate(data: Throwaway, tokens: Tokens) -> Tokens:
    """The refresh token buys a new pair once; presented again it is refused."""
    body = {"refresh_token": tokens.refresh}
    fresh = json_of(expect_status(data.client.post(f"{API}/auth/refresh", json=body), 200))
    expect_problem(data.client.post(f"{API}/auth/refresh", json=body), (401,))
    return Tokens(fresh["access_token"], fresh["refresh_token"], owned=True)


def check_lockout(data: Throwaway, report: Report) -> None:
    """Wrong passwords on a throwaway user until the identifier locks; then even the right
    password is 403 `account-locked` with Retry-After."""
    with report.check("auth.lockout"):
        victim = data.create_user("locked")
        wrong = {"username": victim.email, "password": f"wrong-{victim.password}"}
        for _ in range(MAX_WRONG_PASSWORDS):
            response = data.client.post(f"{API}/auth/login", json=wrong)
            if response.status_code == 403:
                break
            expect_problem(response, (401,))
        else:
            raise CheckFailed(f"{MAX_WRONG_PASSWORDS} wrong passwords and no lockout", response)
        right = {"username": victim.email, "password": victim.password}
        response = data.client.post(f"{API}/auth/login", json=right)
        expect_problem(response, (403,), "account-locked")
        if not response.headers.get("retry-after"):
            raise CheckFailed("a lockout without Retry-After", response)
