"""Outgoing mail: SMTP (aiosmtplib) when configured, otherwise the log (development only)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import aiosmtplib
import structlog

from corebank.config import Environment, Settings

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str | None = None


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None: ...


class SmtpMailer:
    """Sends through the configured SMTP server."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def send(self, mail: Mail) -> None:
        settings = self._settings
        message = EmailMessage()
        message["From"] = settings.mail_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message.set_content(mail.text)
        if mail.html:
            message.add_alternative(mail.html, subtype="html")
        await aiosmtplib.send(
            message,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_user,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            start_tls=settings.smtp_starttls,
            timeout=10,
        )


class LogMailer:
    """Writes mail to the log so development works without a mail server."""

    def __init__(self, *, include_body: bool) -> None:
        self._include_body = include_body

    async def send(self, mail: Mail) -> None:
        if self._include_body:
            log.info("mail.logged", to=mail.to, subject=mail.subject, body=mail.text)
        else:
            log.warning("mail.not_sent", subject=mail.subject, reason="SMTP_HOST is not set")


def build_mailer(settings: Settings) -> Mailer:
    if settings.smtp_host:
        return SmtpMailer(settings)
    return LogMailer(include_body=settings.environment != Environment.production)


class Outgoing:
    """Sends mail in the background so a request never waits on (or reveals) delivery."""

    def __init__(self, mailer: Mailer) -> None:
        self.mailer = mailer
        self._tasks: set[asyncio.Task[None]] = set()

    def send_later(self, mail: Mail) -> None:
        self.run_later(self._send(mail))

    def run_later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the response; failures are logged, never raised to anyone."""
        task = asyncio.get_running_loop().create_task(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _logged(work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except Exception as exc:
            log.error("background.failed", error=type(exc).__name__)

    async def _send(self, mail: Mail) -> None:
        try:
            await self.mailer.send(mail)
        except Exception as exc:
            log.error("mail.failed", subject=mail.subject, error=type(exc).__name__)

    async def drain(self) -> None:
        """Wait for mail still being sent (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
