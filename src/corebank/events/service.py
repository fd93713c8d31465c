"""Webhook endpoints: create (secret shown once), list, change, delete; the delivery log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core import audit
from corebank.core.clock import Clock
from corebank.core.db import Database
from corebank.core.errors import Conflict, NotFound, ValidationFailed, field_error
from corebank.core.pagination import CursorCodec, PageParams, keyset_page
from corebank.events import signing
from corebank.events.urls import UrlGuard, UrlRefused
from corebank.models.webhook import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def _snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """What the audit trail keeps of an endpoint (never its secret)."""
    return {
        "url": endpoint.url,
        "event_types": list(endpoint.event_types),
        "active": endpoint.active,
        "description": endpoint.description,
    }


async def _checked_url(guard: UrlGuard, url: str) -> str:
    try:
        await guard.check(url)
    except UrlRefused as exc:
        raise ValidationFailed(
            exc.message, type=exc.code, errors=[field_error(["body", "url"], exc.message)]
        ) from None
    return url


async def _get(session: AsyncSession, endpoint_id: int, *, lock: bool = False) -> WebhookEndpoint:
    stmt = select(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id)
    endpoint = await session.scalar(stmt.with_for_update() if lock else stmt)
    if endpoint is None:
        raise NotFound("No such webhook endpoint.", type="webhook-not-found")
    return endpoint


async def create_endpoint(
    db: Database,
    *,
    guard: UrlGuard,
    clock: Clock,
    actor_id: int,
    url: str,
    event_types: list[str],
    description: str | None,
    active: bool,
) -> tuple[WebhookEndpoint, str]:
    """Save an endpoint after checking its URL; return it with its new signing secret."""
    await _checked_url(guard, url)
    secret = signing.new_secret()
    now = clock.now()
    async with db.transaction() as session:
        endpoint = WebhookEndpoint(
            url=url,
            event_types=event_types,
            description=description,
            active=active,
            secret=secret,
            created_by=actor_id,
            created_at=now,
            updated_at=now,
        )
        session.add(endpoint)
        await session.flush()
        audit.record(
            session,
            "webhook.created",
            actor_id=actor_id,
            target_type="webhook",
            target_id=endpoint.id,
            after=_snapshot(endpoint),
        )
    return endpoint, secret


async def list_endpoints(
    db: Database, *, params: PageParams, codec: CursorCodec
) -> tuple[list[WebhookEndpoint], str | None]:
    """Endpoints, newest first."""
    async with db.session() as session:
        return await keyset_page(
            session,
            select(WebhookEndpoint),
            id_column=WebhookEndpoint.id,
            params=params,
            codec=codec,
            scope="webhooks",
        )


async def get_endpoint(db: Database, *, endpoint_id: int) -> WebhookEndpoint:
    async with db.session() as session:
        return await _get(session, endpoint_id)


async def update_endpoint(
    db: Database,
    *,
    guard: UrlGuard,
    clock: Clock,
    actor_id: int,
    endpoint_id: int,
    changes: Mapping[str, Any],
) -> WebhookEndpoint:
    """Change url, event types, description or active; a new URL is checked like a new one."""
    if "url" in changes:
        await _checked_url(guard, changes["url"])
    async with db.transaction() as session:
        endpoint = await _get(session, endpoint_id, lock=True)
        before = _snapshot(endpoint)
        for name, value in changes.items():
            setattr(endpoint, name, value)
        if _snapshot(endpoint) != before:
            endpoint.updated_at = clock.now()
            audit.record(
                session,
                "webhook.updated",
                actor_id=actor_id,
                target_type="webhook",
                target_id=endpoint.id,
                before=before,
                after=_snapshot(endpoint),
            )
    return endpoint


async def delete_endpoint(db: Database, *, actor_id: int, endpoint_id: int) -> None:
    """Delete an endpoint and its delivery log; nothing more is sent to it."""
    async with db.transaction() as session:
        endpoint = await _get(session, endpoint_id, lock=True)
        audit.record(
            session,
            "webhook.deleted",
            actor_id=actor_id,
            target_type="webhook",
            target_id=endpoint.id,
            before=_snapshot(endpoint),
        )
        await session.delete(endpoint)


async def list_deliveries(
    db: Database,
    *,
    endpoint_id: int,
    status: DeliveryStatus | None,
    params: PageParams,
    codec: CursorCodec,
) -> tuple[list[WebhookDelivery], str | None]:
    """One endpoint's deliveries, newest first, optionally of one status."""
    async with db.session() as session:
        await _get(session, endpoint_id)
        stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
        if status is not None:
            stmt = stmt.where(WebhookDelivery.status == status)
        return await keyset_page(
            session,
            stmt,
            id_column=WebhookDelivery.id,
            params=params,
            codec=codec,
            scope=f"webhook-deliveries:{endpoint_id}:{status or ''}",
        )


async def retry_delivery(
    db: Database, *, clock: Clock, actor_id: int, endpoint_id: int, delivery_id: int
) -> WebhookDelivery:
    """Queue a delivery for an attempt now, whatever its status (a failed one gets one more)."""
    now = clock.now()
    async with db.transaction() as session:
        endpoint = await _get(session, endpoint_id)
        if not endpoint.active:
            raise Conflict(
                "The endpoint is inactive; activate it before retrying.",
                type="webhook-inactive",
            )
        delivery = await session.scalar(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id)
            .values(status=DeliveryStatus.pending, next_attempt_at=now)
            .returning(WebhookDelivery)
        )
        if delivery is None:
            raise NotFound("No such delivery for this endpoint.", type="delivery-not-found")
        audit.record(
            session,
            "webhook.delivery_retried",
            actor_id=actor_id,
            target_type="webhook_delivery",
            target_id=delivery_id,
            after={"endpoint_id": endpoint_id, "event_id": delivery.event_id},
        )
    return delivery
