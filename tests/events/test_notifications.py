"""E-mail notifications reach a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
from sqlalchemy import func, select

from corebank.core.clock import FrozenClock
from corebank.core.db import Database
from corebank.core.mail import SmtpMailer
from corebank.events import notifications
from corebank.events.dispatcher import Dispatcher
from corebank.lending.delinquency import sweep
from corebank.models import Customer, OutboxEvent, WebhookDelivery
from tests.events.helpers import API, Receiver, create_webhook, parts
from tests.events.test_outbox import emit_one
from tests.fake_smtp import Inbox
from tests.identity.helpers import login, register
from tests.lending.test_loans import Bank, active_loan
from tests.support import free_port, login_as


async def test_registration_sends_a_welcome_mail(
    client: httpx.AsyncClient, inbox: Inbox, dispatcher: Dispatcher
) -> None:
    assert (await register(client)).status_code == 201
    assert inbox.messages == []  # nothing before the dispatcher runs
    await dispatcher.drain()

    (mail,) = inbox.to("alice@example.com")
    assert mail["Subject"] == "Welcome to corebank"
    text, html = parts(mail)
    assert "Hello Alice Example," in text
    assert "https://bank.example" in text
    assert "<p>Hello Alice Example,</p>" in html
    await dispatcher.drain()
    assert len(inbox.messages) == 1  # once


async def test_a_lockout_sends_a_notice(
    client: httpx.AsyncClient, inbox: Inbox, dispatcher: Dispatcher
) -> None:
    await register(client)
    await dispatcher.drain()
    inbox.messages.clear()
    for n in range(5):
        await login(client, password=f"Wrong-{n}!")
    assert (await login(client)).status_code == 403
    await dispatcher.drain()

    (mail,) = inbox.to("alice@example.com")
    assert mail["Subject"] == "Your corebank logins are locked"
    text, html = parts(mail)
    assert "After 5 failed login attempts" in text
    assert "locked for 30 minutes" in text
    assert "<strong>30 minutes</strong>" in html


async def test_a_second_factor_change_sends_a_notice(
    app: Any,
    client: httpx.AsyncClient,
    inbox: Inbox,
    dispatcher: Dispatcher,
    clock: FrozenClock,
) -> None:
    import pyotp

    from tests.support import STRONG_PASSWORD

    await register(client)
    headers = {"Authorization": f"Bearer {(await login(client)).json()['access_token']}"}
    await dispatcher.drain()
    inbox.messages.clear()
    started = await client.post(f"{API}/users/me/mfa/totp", headers=headers)
    code = pyotp.TOTP(started.json()["secret"]).at(clock.now())
    confirmed = await client.post(
        f"{API}/users/me/mfa/totp/confirm",
        headers=headers,
        json={"code": code, "password": STRONG_PASSWORD},
    )
    assert confirmed.status_code == 200
    await dispatcher.drain()

    (mail,) = inbox.to("alice@example.com")
    assert mail["Subject"] == "The second factor of your corebank account was turned on"
    text, html = parts(mail)
    assert "someone may have your password" in text
    assert "<strong>was turned on</strong>" in html
    assert confirmed.json()["recovery_codes"][0] not in text  # never a secret in a mail


async def test_the_reset_mail_arrives_too(
    app: Any, client: httpx.AsyncClient, inbox: Inbox, dispatcher: Dispatcher
) -> None:
    await register(client)
    answer = await client.post("/api/v1/auth/password/forgot", json={"email": "alice@example.com"})
    assert answer.status_code == 202
    # sent directly by identity/recovery.py, not an event
    await app.state.container.outgoing.drain()
    (mail,) = inbox.to("alice@example.com")
    assert "https://bank.example/reset-password?code=" in mail.get_content()
    async with app.state.container.db.session() as session:
        types = (await session.scalars(select(OutboxEvent.type))).all()
    assert types == ["user.registered"]  # the secret code never enters the outbox


async def customer_with_account(
    app: Any, client: httpx.AsyncClient, staff: dict[str, str], *, currency: str = "USD"
) -> tuple[Customer, int]:
    async with app.state.container.db.transaction() as session:
        customer = Customer(
            first_name="Grace",
            last_name="Hopper",
            email=f"grace-{secrets.token_hex(3)}@example.com",
            phone=f"+1202555{secrets.randbelow(10**4):04d}",
            kyc_status="verified",
        )
        session.add(customer)
    opened = await client.post(
        f"{API}/accounts",
        json={"customer_id": customer.id, "type": "checking", "currency": currency},
        headers=staff,
    )
    assert opened.status_code == 201, opened.text
    return customer, opened.json()["id"]


async def move(
    client: httpx.AsyncClient, staff: dict[str, str], account_id: int, kind: str, amount: str
) -> None:
    response = await client.post(
        f"{API}/accounts/{account_id}/{kind}", json={"amount": amount}, headers=staff
    )
    assert response.status_code == 201, response.text


async def test_a_large_withdrawal_sends_a_notice(
    app: Any, client: httpx.AsyncClient, inbox: Inbox, dispatcher: Dispatcher
) -> None:
    _, staff = await login_as(app, "staff")
    customer, account_id = await customer_with_account(app, client, staff)
    await move(client, staff, account_id, "deposits", "5000.00")
    await move(client, staff, account_id, "withdrawals", "999.99")  # under the 1000.00 threshold
    await move(client, staff, account_id, "withdrawals", "1000.00")
    await dispatcher.drain()

    (mail,) = inbox.to(customer.email)
    assert mail["Subject"] == "Withdrawal of 1000.00 USD from your account"
    text, html = parts(mail)
    assert "Hello Grace Hopper," in text
    assert "1000.00 USD" in text
    assert "<strong>1000.00 USD</strong>" in html
    assert len(inbox.messages) == 1  # no mail for the deposit or the smaller withdrawal


async def test_a_failing_mail_server_retries_the_event_without_duplicating_webhooks(
    app: Any,
    db: Database,
    client: httpx.AsyncClient,
    admin: dict[str, str],
    inbox: Inbox,
    receiver: Receiver,
    dispatcher: Dispatcher,
    clock: FrozenClock,
) -> None:
    await create_webhook(client, admin, receiver.url, ["user.registered"])
    working = dispatcher.mailer
    dead = app.state.container.settings.model_copy(update={"smtp_port": free_port()})
    dispatcher.mailer = SmtpMailer(dead)
    await register(client)
    await dispatcher.drain()

    async with db.session() as session:
        event = await session.scalar(select(OutboxEvent))
    assert event is not None and event.published_at is None
    assert event.attempts == 1 and (event.last_error or "").startswith("mail: ")
    assert event.next_attempt_at is not None and event.next_attempt_at > clock.now()
    assert len(receiver.requests) == 1  # webhooks do not wait for mail

    dispatcher.mailer = working
    clock.advance(minutes=2)
    await dispatcher.drain()
    assert len(inbox.to("alice@example.com")) == 1
    async with db.session() as session:
        event = await session.scalar(select(OutboxEvent))
        fanned_out = await session.scalar(select(func.count()).select_from(WebhookDelivery))
    assert event is not None and event.published_at is not None
    assert fanned_out == 1
    assert len(receiver.requests) == 1


async def test_events_without_a_recipient_send_nothing(
    db: Database, inbox: Inbox, dispatcher: Dispatcher
) -> None:
    await emit_one(db, "user.locked", user_id=12345)
    await emit_one(db, "transaction.posted", type="withdrawal", currency="XXX", amount_minor=10**9)
    await dispatcher.drain()
    assert inbox.messages == []


def test_html_values_are_escaped() -> None:
    mail = notifications.render(
        "welcome",
        "Welcome to $bank",
        "x@example.com",
        {"name": "<b>Eve & Co</b>", "email": "x@example.com", "bank": "B", "base_url": "u"},
    )
    assert "<b>Eve & Co</b>" in mail.text
    assert mail.html is not None and "&lt;b&gt;Eve &amp; Co&lt;/b&gt;" in mail.html


def test_the_threshold_is_in_the_currency_minor_units() -> None:
    assert notifications.threshold_minor("1000.00", "USD") == 100000
    assert notifications.threshold_minor("1000.00", "JPY") == 1000
    assert notifications.threshold_minor("0.5", "JPY") == 1


async def test_an_overdue_loan_mails_its_customer(
    app: Any, client: httpx.AsyncClient, inbox: Inbox, dispatcher: Dispatcher, clock: FrozenClock
) -> None:
    bank = await Bank(app).setup()
    loan, _ = await active_loan(client, bank)
    clock.advance(days=40)
    assert await sweep(app.state.container.db, now=clock.now()) == 1
    await dispatcher.drain()

    (mail,) = inbox.to(bank.customer.email)
    assert mail["Subject"] == "Your corebank loan is past due"
    text, html = parts(mail)
    assert f"Your loan {loan['id']} is" in text and "days past due" in text
    assert "10000.00 USD" in text
    assert "<strong>" in html
