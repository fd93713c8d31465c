"""One run of the suite: log the admin in, the read-only checks, then (unless read-only) the
checks that write on throwaway data, and the cleanup whatever happened before it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import httpx

from corebank.conformance.access import check_customer_rules, check_lockout
from corebank.conformance.client import API, Client, expect_status, json_of
from corebank.conformance.money import Money
from corebank.conformance.results import CheckFailed, Report
from corebank.conformance.session import Credentials, Tokens, log_in, log_out
from corebank.conformance.surface import Surface, check_surface
from corebank.conformance.throwaway import Throwaway, new_prefix

#: The checks that write, each skipped by --read-only (docs/conformance.md lists them).
WRITING_CHECKS = (
    "setup.throwaway_data",
    "auth.customer_login",
    "auth.role_staff_only",
    "auth.others_hidden",
    "auth.refresh_rotation",
    "auth.logout_refuses_token",
    "auth.lockout",
    "money.deposit",
    "idempotency.replay",
    "idempotency.key_reused",
    "money.transfer_conserves",
    "money.refusal_moves_nothing",
    "money.overdraft_limit",
    "money.reversal_once",
    "cleanup.accounts_closed",
    "cleanup.customers_deleted",
    "cleanup.users_deleted",
)
#: The throwaway customer's credit limit: it allows the overdraft the money checks set.
CREDIT_LIMIT = "1.00"


@dataclass(frozen=True)
class Options:
    base_url: str
    credentials: Credentials
    read_only: bool = False
    currency: str = "USD"
    timeout: float = 30.0


def run(
    options: Options,
    *,
    transport: httpx.BaseTransport | None = None,
    on_check: Callable[[int], None] | None = None,
) -> Report:
    report = Report(on_check=on_check)
    client = Client(options.base_url, timeout=options.timeout, transport=transport)
    prefix = new_prefix()
    try:
        tokens = _admin_session(client, options.credentials, report)
        https = options.base_url.startswith("https://")
        check_surface(Surface(client, report, tokens, https, prefix))
        if options.read_only:
            for name in WRITING_CHECKS:
                report.skip(name, "--read-only")
        elif tokens is None:
            for name in WRITING_CHECKS:
                report.skip(name, "no admin session")
        else:
            _writing_checks(Throwaway(client, tokens.access, prefix, options.currency), report)
        if tokens is not None:
            log_out(client, tokens)
    finally:
        client.close()
    _summarize(report, client, prefix, read_only=options.read_only)
    return report


def _admin_session(client: Client, credentials: Credentials, report: Report) -> Tokens | None:
    """Log in, then prove the session works as an admin's (not an enrol-only one)."""
    tokens: Tokens | None = None
    with report.check("admin.session"):
        tokens = log_in(client, credentials)
        response = expect_status(client.get(f"{API}/users/me", token=tokens.access), 200)
        role = json_of(response).get("role")
        if role != "admin":
            tokens = None
            raise CheckFailed(f"the credential is a {role!r}, not an admin", response)
    return tokens


def _writing_checks(data: Throwaway, report: Report) -> None:
    try:
        accounts = None
        with report.check("setup.throwaway_data"):
            customer = data.create_user("customer")
            own = data.create_customer("a", user_id=customer.id, credit_limit=CREDIT_LIMIT)
            other = data.create_customer("b", user_id=None, credit_limit="0.00")
            accounts = data.open_account(own), data.open_account(other)
        if accounts is None:
            for name in WRITING_CHECKS[1:-3]:
                report.skip(name, "the throwaway data could not be created")
        else:
            check_customer_rules(data, report, customer, *accounts)
            check_lockout(data, report)
            Money(data, report, *accounts).run()
    finally:
        data.clean_up(report)


def _summarize(report: Report, client: Client, prefix: str, *, read_only: bool) -> None:
    report.notes.append(f"{client.sent} requests; prefix {prefix}")
    if client.rate_limited:
        report.notes.append(
            f"rate limited {len(client.rate_limited)} times (waited "
            f"{client.waited_seconds:.0f} s, then sent again): {', '.join(client.rate_limited)}"
        )
    if not read_only:
        report.notes.append(
            f"left behind: soft-deleted users and customers with e-mails {prefix}-*, closed "
            "accounts and their journal entries (append-only), audit rows"
        )
