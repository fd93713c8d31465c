"""Settings, read from the environment (plain names, no prefix) and an optional `.env` file."""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

KNOWN_WEAK_SECRETS = frozenset(
    {"changethis", "changeme", "secret", "secret-key", "your-secret-key", "development", "test"}
)
MIN_SECRET_BYTES = 32
ATTESTATION_KEY_BYTES = 32

CommaList = Annotated[list[str], NoDecode]

#: What APPROVAL_OPERATIONS may name (docs/approvals.md).
APPROVAL_OPERATIONS = (
    "transfer",
    "withdrawal",
    "multi_leg",
    "account_closure",
    "credit_limit_raise",
    "kyc_override",
    "loan_approval",
)

#: Settings whose default is (development and test, production): what the README's two
#: commands and the tests need is open; what a production deployment gets is closed.
PRODUCTION_DEFAULTS: dict[str, tuple[object, object]] = {
    "docs_enabled": (True, False),
    "health_details_public": (True, False),
    "require_mfa_for_staff": (False, True),
    "sca_required": (False, True),
}


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class Settings(BaseSettings):
    """Every setting of the service; see `.env.example` for what each one means."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Environment = Environment.development
    debug: bool = False
    database_url: str = "sqlite+aiosqlite:///./corebank.db"
    db_pool_size: int = Field(default=20, ge=1)
    db_max_overflow: int = Field(default=0, ge=0)
    db_pool_timeout: float = Field(default=10.0, gt=0)
    db_pool_recycle: int = Field(default=1800, ge=-1)
    db_pool_pre_ping: bool = True
    db_pool_ping_idle_seconds: float = Field(default=5.0, ge=0)
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)
    db_breaker_failures: int = Field(default=5, ge=1)
    db_breaker_reset_seconds: float = Field(default=10.0, gt=0)
    redis_url: str | None = None
    cache_enabled: bool = True
    secret_key: SecretStr | None = None

    log_level: str = "INFO"
    log_format: Literal["json", "console"] | None = None
    slow_request_ms: int = Field(default=1000, ge=0)

    cors_origins: CommaList = []
    cors_allow_credentials: bool = False
    allowed_hosts: CommaList = ["*"]
    trusted_proxies: CommaList = []

    access_token_minutes: int = Field(default=30, ge=1)
    refresh_token_days: int = Field(default=7, ge=1)
    max_sessions_per_user: int = Field(default=5, ge=1)
    #: None: on with Redis or SQLite, off for PostgreSQL without Redis (identity/session_cache.py)
    session_cache_enabled: bool | None = None
    session_cache_ttl_seconds: float = Field(default=2.0, gt=0, le=300)
    session_cache_max_entries: int = Field(default=100_000, ge=1)
    lockout_max_failures: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=30, ge=1)
    password_require_character_classes: bool = True
    #: Hashing threads per process: by default the cores left after the event loop's (see
    #: `default_hash_concurrency`).
    password_hash_concurrency: int = Field(
        default_factory=lambda: default_hash_concurrency(available_cores()), ge=1
    )
    password_hash_nice: int = Field(default=10, ge=0, le=19)
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost: int = Field(default=65536, ge=8)
    argon2_parallelism: int = Field(default=4, ge=1)
    pin_required_for_customers: bool = False
    password_reset_minutes: int = Field(default=30, ge=1)

    mfa_encryption_key: SecretStr | None = None
    require_mfa_for_staff: bool = Field(default=None, validate_default=False)  # type: ignore[assignment]
    mfa_ticket_minutes: int = Field(default=5, ge=1, le=30)
    mfa_max_failures: int = Field(default=5, ge=1)
    mfa_lock_minutes: int = Field(default=30, ge=1)
    sca_required: bool = Field(default=None, validate_default=False)  # type: ignore[assignment]
    sca_challenge_minutes: int = Field(default=5, ge=1, le=30)
    sca_exempt_own_accounts: bool = True
    sca_exempt_trusted_payees: bool = True
    sca_low_value_max: str = Field(default="30.00", pattern=r"^[0-9]+(\.[0-9]+)?$")
    sca_low_value_total: str = Field(default="100.00", pattern=r"^[0-9]+(\.[0-9]+)?$")
    sca_low_value_count: int = Field(default=5, ge=0)

    rate_limit_enabled: bool = True
    rate_limit_default: str = "100/minute"
    rate_limit_login: str = "10/minute"
    rate_limit_register: str = "3/minute"
    rate_limit_password_reset: str = "5/minute"
    body_limit_bytes: int = Field(default=1_048_576, ge=1024)

    kyc_required: bool = False
    default_phone_region: str = "US"
    currencies: CommaList = ["USD", "EUR", "GBP", "JPY"]
    base_currency: str = "USD"
    max_credit_limit: str = "1000000.00"
    min_customer_age: int = Field(default=18, ge=0)

    metrics_token: SecretStr | None = None
    otel_exporter: Literal["none", "console", "otlp"] = "none"
    otel_exporter_otlp_endpoint: str | None = None
    sentry_dsn: SecretStr | None = None
    sentry_sample_rate: float = Field(default=1.0, ge=0, le=1)
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0, le=1)
    docs_enabled: bool = Field(default=None, validate_default=False)  # type: ignore[assignment]
    health_details_public: bool = Field(default=None, validate_default=False)  # type: ignore[assignment]
    credit_bureau_url: str | None = None
    credit_bureau_api_key: SecretStr | None = None
    credit_bureau_timeout_seconds: float = Field(default=3.0, gt=0)
    credit_breaker_failures: int = Field(default=3, ge=1)
    credit_breaker_reset_seconds: float = Field(default=30.0, gt=0)
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = True
    mail_from: str = "corebank <no-reply@localhost>"
    public_base_url: str = "http://127.0.0.1:8000"
    bank_name: str = "corebank"

    audit_seal_delay_ms: int = Field(default=50, ge=0, le=60_000)

    # maker-checker (docs/approvals.md): off while APPROVAL_THRESHOLD names no currency
    approval_threshold: CommaList = []
    approval_operations: CommaList = ["transfer", "withdrawal", "multi_leg", "loan_approval"]
    approval_ttl: timedelta = Field(default=timedelta(hours=24), ge=timedelta(minutes=1))

    # `corebank worker` runs `ledger sweep` this often (seconds; unset: only the command does)
    sweep_interval_seconds: int | None = Field(default=None, ge=60)

    # lending (docs/lending.md)
    credit_check_max_age_days: int = Field(default=30, ge=1, le=365)

    outbox_dispatcher_in_process: bool = True
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_batch_size: int = Field(default=100, ge=1, le=1000)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_concurrency: int = Field(default=10, ge=1)
    webhook_breaker_failures: int = Field(default=5, ge=1)
    webhook_breaker_reset_seconds: float = Field(default=60.0, ge=0)
    allow_private_webhooks: bool = False
    large_withdrawal_threshold: str = Field(default="10000.00", pattern=r"^[0-9]+(\.[0-9]+)?$")

    # attestation (docs/ledger.md)
    #: The Ed25519 private key (32 bytes, base64url) that signs ledger attestations; required
    #: in production, generated per process (with a warning) elsewhere.
    attestation_signing_key: SecretStr | None = None
    #: True: GET /api/v1/ledger/attestation needs no token (a full check still needs an admin).
    attestation_public: bool = False
    #: Seconds between stored attestations written by `corebank worker`; unset = none.
    attestation_interval_seconds: int | None = Field(default=None, ge=1)
    #: Entries younger than this are checked by every attestation but not yet folded into the
    #: checkpoint, so a transaction that commits late is never skipped (docs/ledger.md).
    attestation_settle_seconds: int = Field(default=300, ge=0)

    # read replicas (docs/deployment.md)
    #: A PostgreSQL streaming replica for reads that may lag (history, statements, balance as
    #: of, customer lists); unset = every read on DATABASE_URL. Refused with SQLite.
    database_replica_url: str | None = None
    #: After a client's successful write, its reads stay on the primary this long (0 = never).
    replica_sticky_seconds: float = Field(default=5.0, ge=0, le=300)
    #: After the replica fails, reads go to the primary and the replica is tried again after this.
    replica_retry_seconds: float = Field(default=10.0, gt=0)
    #: Seconds to wait for a replica connection before reading from the primary instead.
    replica_timeout_seconds: float = Field(default=2.0, gt=0)

    # event broker (docs/events.md)
    #: amqp(s)://user:password@host:port/vhost of RabbitMQ; every domain event is published to
    #: it besides webhooks and mail. Unset: no event stream.
    event_broker_url: SecretStr | None = None
    #: The topic exchange events are published to (declared durable); routing key = event type.
    event_broker_exchange: str = Field(default="corebank.events", min_length=1, max_length=255)
    #: Time one publish (connecting included) may take until the broker's confirm.
    event_broker_timeout_seconds: float = Field(default=5.0, gt=0)
    #: Consecutive failures that open the broker's circuit breaker, and how long it stays open.
    event_broker_breaker_failures: int = Field(default=3, ge=1)
    event_broker_breaker_reset_seconds: float = Field(default=15.0, ge=0)

    @field_validator("event_broker_url")
    @classmethod
    def _amqp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(("amqp://", "amqps://")):
            raise ValueError("must be an amqp:// or amqps:// URL")
        return value

    @model_validator(mode="before")
    @classmethod
    def _defaults_by_environment(cls, values: object) -> object:
        """Settings whose safe default differs in production (see PRODUCTION_DEFAULTS)."""
        if not isinstance(values, dict):
            return values
        environment = str(values.get("environment", Environment.development))
        production = environment.lower() == Environment.production
        for name, (elsewhere, in_production) in PRODUCTION_DEFAULTS.items():
            if values.get(name) is None:
                values[name] = in_production if production else elsewhere
        return values

    @field_validator(
        "cors_origins",
        "allowed_hosts",
        "trusted_proxies",
        "currencies",
        "approval_threshold",
        "approval_operations",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("currencies")
    @classmethod
    def _upper_currencies(cls, value: list[str]) -> list[str]:
        return [code.upper() for code in value]

    @field_validator("approval_threshold")
    @classmethod
    def _thresholds(cls, value: list[str]) -> list[str]:
        """`CUR:amount` pairs, one per currency, e.g. `USD:10000.00,EUR:9000.00`."""
        codes = [item.partition(":")[0].strip().upper() for item in value]
        for item in value:
            if not re.fullmatch(r"[A-Za-z]{3}\s*:\s*[0-9]+(\.[0-9]+)?", item):
                raise ValueError(f"{item!r} is not CUR:amount (e.g. USD:10000.00)")
        if len(set(codes)) != len(codes):
            raise ValueError("each currency may have one threshold")
        return value

    @field_validator("approval_operations")
    @classmethod
    def _operations(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(APPROVAL_OPERATIONS))
        if unknown:
            raise ValueError(f"unknown operations {unknown}; known: {list(APPROVAL_OPERATIONS)}")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == Environment.production:
            problems = production_problems(self)
            if problems:
                raise ValueError("refusing to start in production: " + "; ".join(problems))
        if "*" in self.cors_origins and self.cors_allow_credentials:
            raise ValueError("CORS_ORIGINS='*' cannot be combined with CORS_ALLOW_CREDENTIALS")
        replica_problem = _replica_problem(self)
        if replica_problem:
            raise ValueError(replica_problem)
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def effective_log_format(self) -> str:
        if self.log_format:
            return self.log_format
        return "console" if self.environment == Environment.development else "json"

    @property
    def signing_key(self) -> str:
        """The key that signs tokens and cursors; random per process when none is configured."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        return _process_secret()


def available_cores() -> int:
    """The CPU cores this process may run on: its affinity mask where the OS has one (a
    container's cpuset, `taskset`), else every core of the machine."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # no sched_getaffinity (macOS, Windows)
        return os.cpu_count() or 1


def default_hash_concurrency(cores: int) -> int:
    """PASSWORD_HASH_CONCURRENCY when unset: one core stays the event loop's, the others hash.

    More threads hash more logins per second but, during a login storm, take the CPU the event
    loop needs for every other request (their tail latency grows); docs/identity.md has the
    trade-off. Never fewer than one thread, so a one-core process can still log anyone in.
    """
    return max(1, cores - 1)


def opened_in_production(settings: Settings) -> list[str]:
    """The settings of PRODUCTION_DEFAULTS that a production configuration turned back to
    their development value (allowed, and logged at startup so it is never silent)."""
    if settings.environment != Environment.production:
        return []
    return [
        name.upper()
        for name, (_, in_production) in PRODUCTION_DEFAULTS.items()
        if getattr(settings, name) != in_production
    ]


def production_problems(settings: Settings) -> list[str]:
    """Everything that makes a configuration unsafe to run in production."""
    problems: list[str] = []
    key = settings.secret_key.get_secret_value() if settings.secret_key else ""
    if not key:
        problems.append("SECRET_KEY is not set")
    elif len(key.encode()) < MIN_SECRET_BYTES:
        problems.append(f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
    elif key.strip().lower() in KNOWN_WEAK_SECRETS or len(set(key)) < 10:
        problems.append("SECRET_KEY is a known default or has too little variety")
    if settings.debug:
        problems.append("DEBUG must be off")
    if "*" in settings.cors_origins and settings.cors_allow_credentials:
        problems.append("CORS '*' with credentials")
    if settings.mfa_encryption_key is not None:
        try:
            parse_mfa_keys(settings.mfa_encryption_key.get_secret_value())
        except ValueError as exc:
            problems.append(f"MFA_ENCRYPTION_KEY: {exc}")
    if settings.mfa_encryption_key is None:
        problems.append("MFA_ENCRYPTION_KEY is not set (make one: corebank generate-mfa-key)")
    problems.extend(_attestation_key_problems(settings))
    if not settings.allowed_hosts or "*" in settings.allowed_hosts:
        problems.append(
            "ALLOWED_HOSTS must name the hosts the service answers to (not '*'), "
            "e.g. ALLOWED_HOSTS=api.bank.example"
        )
    return problems


def _replica_problem(settings: Settings) -> str | None:
    """Why DATABASE_REPLICA_URL cannot be used with this DATABASE_URL, if it cannot."""
    replica = settings.database_replica_url
    if not replica:
        return None
    if settings.is_sqlite:
        return (
            "DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL (SQLite has no replicas); "
            "unset it"
        )
    if not replica.startswith("postgresql"):
        return "DATABASE_REPLICA_URL must be a postgresql+asyncpg:// URL"
    return None


def _attestation_key_problems(settings: Settings) -> list[str]:
    key = settings.attestation_signing_key
    if key is None or not key.get_secret_value().strip():
        return ["ATTESTATION_SIGNING_KEY is not set (make one: corebank attest keygen)"]
    try:
        parse_attestation_key(settings.attestation_signing_key.get_secret_value())
    except ValueError as exc:
        return [f"ATTESTATION_SIGNING_KEY: {exc}"]
    return []


def parse_attestation_key(value: str) -> bytes:
    """ATTESTATION_SIGNING_KEY as the 32 raw bytes of an Ed25519 private key; ValueError naming
    what is wrong (never the key itself)."""
    text = value.strip()
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("not base64url") from None
    if len(raw) != ATTESTATION_KEY_BYTES:
        raise ValueError(f"must be {ATTESTATION_KEY_BYTES} bytes (base64url), got {len(raw)}")
    return raw


def parse_mfa_keys(value: str) -> list[tuple[str, bytes]]:
    """MFA_ENCRYPTION_KEY as (id, Fernet key) pairs, the sealing key first: `id:key,id:key`
    or one bare key (id "k1"). ValueError naming what is wrong (never the key itself)."""
    from cryptography.fernet import Fernet

    pairs = []
    for index, part in enumerate(p.strip() for p in value.split(",") if p.strip()):
        key_id, _, key = part.rpartition(":") if ":" in part else ("", "", part)
        key_id = key_id or f"k{index + 1}"
        try:
            Fernet(key.encode())
        except ValueError:
            raise ValueError(
                f"key {key_id!r} is not a Fernet key (32 url-safe base64-encoded bytes)"
            ) from None
        pairs.append((key_id, key.encode()))
    if not pairs:
        raise ValueError("no key given")
    ids = [key_id for key_id, _ in pairs]
    if len(set(ids)) != len(ids):
        raise ValueError("each key needs an id of its own")
    return pairs


_PROCESS_SECRET: list[str] = []


def _process_secret() -> str:
    if not _PROCESS_SECRET:
        _PROCESS_SECRET.append(secrets.token_urlsafe(48))
    return _PROCESS_SECRET[0]
