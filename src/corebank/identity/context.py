"""What the identity services need from the app, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass, field

from corebank.config import Settings
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.mail import Outgoing
from corebank.identity.passwords import PasswordHasher
from corebank.identity.policy import PasswordPolicy
from corebank.identity.secretbox import SecretBox
from corebank.identity.session_cache import SessionCache
from corebank.identity.tokens import TokenService


@dataclass(frozen=True)
class AuthContext:
    """What the identity services need from the app."""

    db: Database
    settings: Settings
    hasher: PasswordHasher
    tokens: TokenService
    clock: Clock
    outgoing: Outgoing
    secrets: SecretBox
    #: Session checks kept in the process; off unless the composition root passes one.
    session_cache: SessionCache = field(
        default_factory=lambda: SessionCache(
            enabled=False, redis_url=None, ttl_seconds=1.0, max_entries=1
        )
    )

    @property
    def policy(self) -> PasswordPolicy:
        return password_policy(self.settings)


def password_policy(settings: Settings) -> PasswordPolicy:
    return PasswordPolicy(
        require_character_classes=settings.password_require_character_classes,
        bank_name=settings.bank_name,
    )
