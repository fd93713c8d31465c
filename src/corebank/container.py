"""The composition root: every long-lived service of an app, built and wired in one place.

`build_container` makes the database, cache, token service, password hasher, mailer, rate
limiter, credit bureau, webhook guard, outbox dispatcher and audit sealer, and each domain's
context from them. `wire` registers what crosses domains (the accounts' guard on customer
deletion, each operation's maker-checker executor, the metrics' hooks and scrape-time gauges,
the audit sealer's wake-up): nothing is registered as a side effect of importing a module.
Routers reach the container only through typed dependencies (`core.deps`, `identity.deps`,
and each domain's own).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from corebank.accounts import guards as account_guards
from corebank.accounts.context import AccountsContext
from corebank.accounts.lifecycle import ClosureExecutor
from corebank.approvals.context import ApprovalsContext
from corebank.approvals.policy import ApprovalPolicy
from corebank.attestation.context import AttestationContext
from corebank.attestation.signing import signer_from_settings
from corebank.audit.context import AuditContext
from corebank.config import Settings
from corebank.core import metrics
from corebank.core.audit_sealer import AuditSealer
from corebank.core.cache import install_cache
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.mail import Outgoing, build_mailer
from corebank.core.pagination import CursorCodec
from corebank.core.platform import Platform, Probe
from corebank.core.ratelimit import RateLimiter
from corebank.credit.bureau import Bureau, build_bureau
from corebank.credit.context import CreditContext
from corebank.customers.context import CustomerContext
from corebank.customers.service import CustomerChangeExecutor
from corebank.events import stats as event_stats
from corebank.events.context import EventsContext
from corebank.events.dispatcher import Dispatcher
from corebank.events.stream import EventStream
from corebank.events.urls import UrlGuard
from corebank.identity import session_cache
from corebank.identity import sessions as identity_sessions
from corebank.identity.context import AuthContext
from corebank.identity.passwords import PasswordHasher
from corebank.identity.secretbox import box_from_settings
from corebank.identity.session_cache import SessionCache
from corebank.identity.tokens import TokenService
from corebank.ledger import approval as ledger_approval
from corebank.ledger import holds as ledger_holds
from corebank.ledger.context import LedgerContext
from corebank.lending.context import LendingContext
from corebank.lending.service import LoanApprovalExecutor
from corebank.models.approval import ApprovalOperation
from corebank.sca.context import ScaContext


@dataclass(kw_only=True)
class Container(Platform):
    """The platform plus what the domains need: one per app, typed."""

    tokens: TokenService
    hasher: PasswordHasher
    auth: AuthContext
    customers: CustomerContext
    credit_bureau: Bureau
    credit: CreditContext
    webhook_guard: UrlGuard
    webhooks: EventsContext
    dispatcher: Dispatcher
    accounts: AccountsContext
    sca: ScaContext
    approvals: ApprovalsContext
    ledger: LedgerContext
    audit: AuditContext
    attestation: AttestationContext
    lending: LendingContext
    audit_sealer: AuditSealer
    owns_database: bool


def build_container(
    settings: Settings, *, database: Database | None = None, clock: Clock | None = None
) -> Container:
    """Build every service from settings (tests pass their own database and clock)."""
    db = database or Database(settings)
    clock = clock or Clock()
    tokens = TokenService(settings.signing_key)
    hasher = PasswordHasher(settings)
    outgoing = Outgoing(build_mailer(settings))
    cache = install_cache(settings, db)
    guard = UrlGuard(allow_private=settings.allow_private_webhooks)
    bureau = build_bureau(settings)
    auth = AuthContext(
        db=db,
        settings=settings,
        hasher=hasher,
        tokens=tokens,
        clock=clock,
        outgoing=outgoing,
        secrets=box_from_settings(settings),
        session_cache=SessionCache.from_settings(settings),
    )
    approvals = ApprovalsContext(db=db, clock=clock, policy=ApprovalPolicy.from_settings(settings))
    accounts = AccountsContext(db=db, clock=clock, settings=settings, approvals=approvals)
    sca = ScaContext(db=db, clock=clock, settings=settings, auth=auth)
    credit = CreditContext(db=db, bureau=bureau, clock=clock)
    ledger = LedgerContext(
        db=db,
        clock=clock,
        settings=settings,
        accounts=accounts,
        auth=auth,
        sca=sca,
        approvals=approvals,
    )
    container = Container(
        settings=settings,
        db=db,
        clock=clock,
        cache=cache,
        cursor_codec=CursorCodec(settings.signing_key),
        rate_limiter=RateLimiter(settings),
        outgoing=outgoing,
        tokens=tokens,
        hasher=hasher,
        auth=auth,
        customers=CustomerContext(
            db=db, settings=settings, clock=clock, cache=cache, approvals=approvals
        ),
        credit_bureau=bureau,
        credit=credit,
        webhook_guard=guard,
        webhooks=EventsContext(db=db, clock=clock, guard=guard),
        dispatcher=Dispatcher(
            db=db,
            settings=settings,
            mailer=outgoing.mailer,
            guard=guard,
            clock=clock,
            stream=EventStream.from_settings(settings),
        ),
        accounts=accounts,
        sca=sca,
        approvals=approvals,
        ledger=ledger,
        lending=LendingContext(
            db=db, clock=clock, settings=settings, ledger=ledger, credit=credit, approvals=approvals
        ),
        audit=AuditContext(db=db),
        attestation=AttestationContext(
            db=db, clock=clock, settings=settings, signer=signer_from_settings(settings)
        ),
        audit_sealer=AuditSealer(db, delay_seconds=settings.audit_seal_delay_ms / 1000),
        owns_database=database is None,
        is_staff_token=partial(identity_sessions.is_staff_token, auth),
    )
    wire(container)
    return container


def wire(container: Container) -> None:
    """Register the cross-domain guards, the health probes and the metrics hooks."""
    container.customers.deletion_guards.append(account_guards.refuse_while_money_held)
    container.approvals.executors.update(ledger_approval.executors())
    container.approvals.executors[ApprovalOperation.account_closure] = ClosureExecutor()
    record_changes = CustomerChangeExecutor(container.customers)
    container.approvals.executors[ApprovalOperation.credit_limit_raise] = record_changes
    container.approvals.executors[ApprovalOperation.kyc_override] = record_changes
    container.approvals.executors[ApprovalOperation.loan_approval] = LoanApprovalExecutor(
        container.lending
    )
    container.db.commit_hooks.append(container.audit_sealer.after_transaction)
    session_cache.track_orm_changes()
    container.db.commit_hooks.append(container.auth.session_cache.announce)
    container.probes["database"] = Probe(container.db.ping, required=True)
    if container.db.replica_engine is not None:
        container.probes["replica"] = Probe(container.db.ping_replica, required=False)
    if container.settings.redis_url:
        container.probes["redis"] = Probe(container.rate_limiter.check_redis, required=False)
    metrics.instrument(db=container.db, rate_limiter=container.rate_limiter)
    container.dispatcher.outcome_hooks.append(
        lambda outcome: metrics.OUTBOX_DELIVERIES.labels("webhook", outcome).inc()
    )
    stream = container.dispatcher.stream
    if stream is not None:
        container.probes["broker"] = Probe(stream.publisher.ping, required=False)
        stream.outcome_hooks.append(
            lambda outcome: metrics.OUTBOX_DELIVERIES.labels("broker", outcome).inc()
        )
    container.scrape_hooks.extend(
        [
            metrics.pool_hook(container.db),
            identity_sessions.live_sessions_gauge(container.db, container.clock),
            event_stats.outbox_gauges(container.db, container.dispatcher),
            ledger_holds.open_holds_gauge(container.db),
        ]
    )


async def close_container(container: Container) -> None:
    """Stop the dispatcher, seal the audit rows left, drain the mail, close every client (and
    the database we built)."""
    await container.dispatcher.stop()
    await container.audit_sealer.stop()
    await container.outgoing.drain()
    await container.rate_limiter.close()
    await container.credit_bureau.close()
    await container.cache.close()
    await container.auth.session_cache.close()
    container.hasher.close()
    if container.owns_database:
        await container.db.dispose()
