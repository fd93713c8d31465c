"""What the identity services need from the app, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.config import Settings
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.mail import Outgoing
from corebank.identity.passwords import PasswordHasher
from corebank.identity.policy import PasswordPolicy
from corebank.identity.secretbox import SecretBox
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

    @property
    def policy(self) -> PasswordPolicy:
        return password_policy(self.settings)


def password_policy(settings: Settings) -> PasswordPolicy:
    return PasswordPolicy(
        require_character_classes=settings.password_require_character_classes,
        bank_name=settings.bank_name,
    )
