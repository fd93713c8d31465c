"""What the attestation needs from the app."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.attestation.signing import Signer
from corebank.config import Settings
from corebank.core.clock import Clock
from corebank.core.db import Database


@dataclass(frozen=True)
class AttestationContext:
    db: Database
    clock: Clock
    settings: Settings
    signer: Signer
