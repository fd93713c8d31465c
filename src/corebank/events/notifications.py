"""E-mail notifications for events: welcome, lockout notice, second-factor change notice,
large-withdrawal notice, loan overdue notice.

Templates are files in `templates/` (`<name>.txt` and `<name>.html`) rendered with
string.Template; values are HTML-escaped for the HTML part. The password-reset mail is not an
event: it carries a secret code, so identity/recovery.py sends it directly.
"""

from __future__ import annotations

import html
import math
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from functools import cache
from importlib.resources import files
from string import Template
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.config import Settings
from corebank.core.mail import Mail
from corebank.core.money import format_amount, minor_units
from corebank.events import repository
from corebank.models.outbox import OutboxEvent
from corebank.models.user import User

Handler = Callable[[AsyncSession, OutboxEvent, Settings], Awaitable[list[Mail]]]


@cache
def _template(name: str) -> Template:
    return Template(files("corebank.events").joinpath("templates", name).read_text("utf-8"))


def render(name: str, subject: str, to: str, values: Mapping[str, Any]) -> Mail:
    """A mail from the `name` templates (plain text and HTML) filled with `values`."""
    text = _template(f"{name}.txt").substitute(values)
    escaped = {key: html.escape(str(value)) for key, value in values.items()}
    return Mail(
        to=to,
        subject=Template(subject).substitute(values),
        text=text,
        html=_template(f"{name}.html").substitute(escaped),
    )


def _common(settings: Settings) -> dict[str, str]:
    return {"bank": settings.bank_name, "base_url": settings.public_base_url}


async def _user(session: AsyncSession, payload: Mapping[str, Any]) -> User | None:
    user_id = payload.get("user_id")
    if not isinstance(user_id, int):
        return None
    user = await repository.user_by_id(session, user_id)
    return user if user is not None and user.deleted_at is None else None


async def welcome(session: AsyncSession, event: OutboxEvent, settings: Settings) -> list[Mail]:
    """user.registered: a welcome mail."""
    user = await _user(session, event.payload)
    if user is None:
        return []
    values = {**_common(settings), "name": user.full_name, "email": user.email}
    return [render("welcome", "Welcome to $bank", user.email, values)]


async def lockout(session: AsyncSession, event: OutboxEvent, settings: Settings) -> list[Mail]:
    """user.locked: tell the owner that failed logins locked their account."""
    user = await _user(session, event.payload)
    if user is None:
        return []
    values = {
        **_common(settings),
        "name": user.full_name,
        "failures": settings.lockout_max_failures,
        "minutes": settings.lockout_minutes,
    }
    return [render("lockout", "Your $bank logins are locked", user.email, values)]


SECOND_FACTOR_CHANGES = {
    "enabled": "was turned on",
    "disabled": "was turned off",
    "reset": "was removed by the bank (a reset)",
}


async def second_factor_changed(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Mail]:
    """user.second_factor_changed: tell the owner, so a change they did not make is noticed."""
    user = await _user(session, event.payload)
    change = SECOND_FACTOR_CHANGES.get(str(event.payload.get("change")))
    if user is None or change is None:
        return []
    values = {
        **_common(settings),
        "name": user.full_name,
        "change": change,
        "occurred_at": event.occurred_at.strftime("%Y-%m-%d %H:%M UTC"),
    }
    subject = "The second factor of your $bank account $change"
    return [render("second_factor", subject, user.email, values)]


def threshold_minor(threshold: str, currency: str) -> int:
    """LARGE_WITHDRAWAL_THRESHOLD in the currency's minor units (rounded up)."""
    return math.ceil(Decimal(threshold).scaleb(minor_units(currency)))


async def large_withdrawal(
    session: AsyncSession, event: OutboxEvent, settings: Settings
) -> list[Mail]:
    """transaction.posted of type withdrawal at or above the threshold: notify the owner."""
    data = event.payload
    currency, amount = data.get("currency"), data.get("amount_minor")
    if data.get("type") != "withdrawal" or not isinstance(amount, int):
        return []
    try:
        if amount < threshold_minor(settings.large_withdrawal_threshold, str(currency)):
            return []
    except ValueError:  # a currency we do not know: no notice rather than a stuck event
        return []
    debited = [
        p["account_id"]
        for p in data.get("postings", [])
        if isinstance(p, dict) and isinstance(p.get("amount_minor"), int) and p["amount_minor"] < 0
    ]
    if not debited:
        return []
    owners = await repository.live_owners_of_customer_accounts(session, debited)
    mails = []
    for owner in owners:
        values = {
            **_common(settings),
            "name": f"{owner.first_name} {owner.last_name}".strip(),
            "amount": format_amount(amount, str(currency)),
            "currency": currency,
            "account": "•••• " + owner.number[-4:],
            "transaction_id": data.get("transaction_id"),
            "occurred_at": event.occurred_at.strftime("%Y-%m-%d %H:%M UTC"),
        }
        subject = "Withdrawal of $amount $currency from your account"
        mails.append(render("large_withdrawal", subject, owner.email, values))
    return mails


async def loan_overdue(session: AsyncSession, event: OutboxEvent, settings: Settings) -> list[Mail]:
    """loan.overdue: tell the customer their loan is past due."""
    data = event.payload
    customer_id = data.get("customer_id")
    if not isinstance(customer_id, int):
        return []
    customer = await repository.live_customer(session, customer_id)
    if customer is None:
        return []
    values = {
        **_common(settings),
        "name": f"{customer.first_name} {customer.last_name}".strip(),
        "loan_id": data.get("loan_id"),
        "days_past_due": data.get("days_past_due"),
        "outstanding": data.get("principal_outstanding"),
        "currency": data.get("currency"),
    }
    return [render("loan_overdue", "Your $bank loan is past due", customer.email, values)]


HANDLERS: Mapping[str, Handler] = {
    "user.registered": welcome,
    "user.locked": lockout,
    "user.second_factor_changed": second_factor_changed,
    "transaction.posted": large_withdrawal,
    "loan.overdue": loan_overdue,
}


async def mails_for(session: AsyncSession, event: OutboxEvent, settings: Settings) -> list[Mail]:
    """The mails an event calls for (none for most types)."""
    handler = HANDLERS.get(event.type)
    return await handler(session, event, settings) if handler else []
