"""Webhook endpoints: create (secret shown once), list, change, delete; the delivery log.

Every function takes an `EventsContext` and keyword-only arguments, and runs in one
transaction (or one read session) of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from corebank.core import audit
from corebank.core.errors import field_error
from corebank.core.pagination import CursorCodec, PageParams, keyset_page
from corebank.events import repository, signing
from corebank.events.context import EventsContext
from corebank.events.errors import (
    DeliveryNotFound,
    WebhookInactive,
    WebhookNotFound,
    WebhookUrlRefused,
)
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
        raise WebhookUrlRefused(
            exc.message, type=exc.code, errors=[field_error(["body", "url"], exc.message)]
        ) from None
    return url


async def _get(
    session: AsyncSession, endpoint_id: int, *, for_update: bool = False
) -> WebhookEndpoint:
    endpoint = await repository.endpoint_by_id(session, endpoint_id, for_update=for_update)
    if endpoint is None:
        raise WebhookNotFound()
    return endpoint


async def create_endpoint(
    ctx: EventsContext,
    *,
    actor_id: int,
    url: str,
    event_types: list[str],
    description: str | None,
    active: bool,
) -> tuple[WebhookEndpoint, str]:
    """Save an endpoint after checking its URL; return it with its new signing secret."""
    await _checked_url(ctx.guard, url)
    secret = signing.new_secret()
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        endpoint = await repository.insert_endpoint(
            session,
            url=url,
            event_types=event_types,
            description=description,
            active=active,
            secret=secret,
            created_by=actor_id,
            now=now,
        )
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
    ctx: EventsContext, *, params: PageParams, codec: CursorCodec
) -> tuple[list[WebhookEndpoint], str | None]:
    """Endpoints, newest first."""
    async with ctx.db.session() as session:
        return await keyset_page(
            session,
            repository.endpoint_listing(),
            id_column=WebhookEndpoint.id,
            params=params,
            codec=codec,
            scope="webhooks",
        )


async def get_endpoint(ctx: EventsContext, *, endpoint_id: int) -> WebhookEndpoint:
    """One endpoint; 404 when there is none."""
    async with ctx.db.session() as session:
        return await _get(session, endpoint_id)


async def update_endpoint(
    ctx: EventsContext, *, actor_id: int, endpoint_id: int, changes: Mapping[str, Any]
) -> WebhookEndpoint:
    """Change url, event types, description or active; a new URL is checked like a new one."""
    if "url" in changes:
        await _checked_url(ctx.guard, changes["url"])
    async with ctx.db.transaction() as session:
        endpoint = await _get(session, endpoint_id, for_update=True)
        before = _snapshot(endpoint)
        for name, value in changes.items():
            setattr(endpoint, name, value)
        if _snapshot(endpoint) != before:
            endpoint.updated_at = ctx.clock.now()
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


async def delete_endpoint(ctx: EventsContext, *, actor_id: int, endpoint_id: int) -> None:
    """Delete an endpoint and its delivery log; nothing more is sent to it."""
    async with ctx.db.transaction() as session:
        endpoint = await _get(session, endpoint_id, for_update=True)
        audit.record(
            session,
            "webhook.deleted",
            actor_id=actor_id,
            target_type="webhook",
            target_id=endpoint.id,
            before=_snapshot(endpoint),
        )
        await repository.delete_endpoint(session, endpoint)


async def list_deliveries(
    ctx: EventsContext,
    *,
    endpoint_id: int,
    status: DeliveryStatus | None,
    params: PageParams,
    codec: CursorCodec,
) -> tuple[list[WebhookDelivery], str | None]:
    """One endpoint's deliveries, newest first, optionally of one status."""
    async with ctx.db.session() as session:
        await _get(session, endpoint_id)
        return await keyset_page(
            session,
            repository.delivery_listing(endpoint_id=endpoint_id, status=status),
            id_column=WebhookDelivery.id,
            params=params,
            codec=codec,
            scope=f"webhook-deliveries:{endpoint_id}:{status or ''}",
        )


async def retry_delivery(
    ctx: EventsContext, *, actor_id: int, endpoint_id: int, delivery_id: int
) -> WebhookDelivery:
    """Queue a delivery for an attempt now, whatever its status (a failed one gets one more)."""
    now = ctx.clock.now()
    async with ctx.db.transaction() as session:
        endpoint = await _get(session, endpoint_id)
        if not endpoint.active:
            raise WebhookInactive()
        delivery = await repository.requeue_delivery(
            session, endpoint_id=endpoint_id, delivery_id=delivery_id, now=now
        )
        if delivery is None:
            raise DeliveryNotFound()
        audit.record(
            session,
            "webhook.delivery_retried",
            actor_id=actor_id,
            target_type="webhook_delivery",
            target_id=delivery_id,
            after={"endpoint_id": endpoint_id, "event_id": delivery.event_id},
        )
    return delivery
