"""/api/v1/webhooks: admins manage webhook endpoints and read their delivery logs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from corebank.core.api import API_PREFIX, MAX_ID
from corebank.core.deps import CursorCodecDep, PageDep
from corebank.core.pagination import Page
from corebank.events import service
from corebank.events.catalogue import CATALOGUE, data_schema
from corebank.events.context import EventsContext
from corebank.events.schemas import (
    DeliveryOut,
    EventTypeOut,
    WebhookCreate,
    WebhookCreated,
    WebhookOut,
    WebhookUpdate,
)
from corebank.identity.deps import AdminPrincipal
from corebank.models.webhook import DeliveryStatus

router = APIRouter(prefix=f"{API_PREFIX}/webhooks", tags=["webhooks"])

ERRORS = {
    401: {"description": "Not authenticated"},
    403: {"description": "Admins only"},
    404: {"description": "No such webhook endpoint (or delivery)"},
    422: {"description": "Validation failed, or the URL is refused (not http(s), not public)"},
}


async def events_context(request: Request) -> EventsContext:
    """The webhook services' context, from the app's container."""
    return request.app.state.container.webhooks


EventsDep = Annotated[EventsContext, Depends(events_context)]
EndpointId = Annotated[int, Path(ge=1, le=MAX_ID)]
DeliveryId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get(
    "/event-types",
    summary="Event catalogue",
    response_model=list[EventTypeOut],
    responses={401: ERRORS[401], 403: ERRORS[403]},
)
async def list_event_types(principal: AdminPrincipal) -> list[EventTypeOut]:
    """Every event type an endpoint can subscribe to, with the JSON schema of its data."""
    return [
        EventTypeOut(type=s.type, version=s.version, summary=s.summary, data_schema=data_schema(t))
        for t, s in sorted(CATALOGUE.items())
    ]


@router.post(
    "",
    summary="Create a webhook endpoint",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookCreated,
    responses=ERRORS,
)
async def create_webhook(
    body: WebhookCreate, principal: AdminPrincipal, ctx: EventsDep
) -> WebhookCreated:
    """Register a URL for signed event deliveries; the signing secret is shown only here."""
    endpoint, secret = await service.create_endpoint(
        ctx,
        actor_id=principal.user.id,
        url=body.url,
        event_types=body.event_types,
        description=body.description,
        active=body.active,
    )
    return WebhookCreated(**WebhookOut.model_validate(endpoint).model_dump(), secret=secret)


@router.get(
    "",
    summary="List webhook endpoints",
    response_model=Page[WebhookOut],
    responses={401: ERRORS[401], 403: ERRORS[403], 422: {"description": "Validation failed"}},
)
async def list_webhooks(
    principal: AdminPrincipal, ctx: EventsDep, page: PageDep, codec: CursorCodecDep
) -> Page[WebhookOut]:
    """Webhook endpoints, newest first (secrets are never listed)."""
    rows, next_cursor = await service.list_endpoints(ctx, params=page, codec=codec)
    return Page(items=[WebhookOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get(
    "/{endpoint_id}", summary="Read a webhook endpoint", response_model=WebhookOut, responses=ERRORS
)
async def read_webhook(
    endpoint_id: EndpointId, principal: AdminPrincipal, ctx: EventsDep
) -> WebhookOut:
    """One endpoint (without its secret)."""
    return WebhookOut.model_validate(await service.get_endpoint(ctx, endpoint_id=endpoint_id))


@router.patch(
    "/{endpoint_id}",
    summary="Change a webhook endpoint",
    response_model=WebhookOut,
    responses=ERRORS,
)
async def update_webhook(
    endpoint_id: EndpointId,
    body: WebhookUpdate,
    principal: AdminPrincipal,
    ctx: EventsDep,
) -> WebhookOut:
    """Change the URL, event types, description or active flag (inactive = paused)."""
    endpoint = await service.update_endpoint(
        ctx,
        actor_id=principal.user.id,
        endpoint_id=endpoint_id,
        changes=body.model_dump(exclude_unset=True),
    )
    return WebhookOut.model_validate(endpoint)


@router.delete(
    "/{endpoint_id}", summary="Delete a webhook endpoint", status_code=204, responses=ERRORS
)
async def delete_webhook(
    endpoint_id: EndpointId, principal: AdminPrincipal, ctx: EventsDep
) -> Response:
    """Delete the endpoint and its delivery log; nothing more is sent to it."""
    await service.delete_endpoint(ctx, actor_id=principal.user.id, endpoint_id=endpoint_id)
    return Response(status_code=204)


@router.get(
    "/{endpoint_id}/deliveries",
    summary="Delivery log of a webhook endpoint",
    response_model=Page[DeliveryOut],
    responses=ERRORS,
)
async def list_deliveries(
    endpoint_id: EndpointId,
    principal: AdminPrincipal,
    ctx: EventsDep,
    page: PageDep,
    codec: CursorCodecDep,
    status: Annotated[DeliveryStatus | None, Query(description="Only this status")] = None,
) -> Page[DeliveryOut]:
    """Deliveries to this endpoint, newest first: status, attempts, last answer, next attempt."""
    rows, next_cursor = await service.list_deliveries(
        ctx, endpoint_id=endpoint_id, status=status, params=page, codec=codec
    )
    return Page(items=[DeliveryOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/retry",
    summary="Retry a delivery now",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    responses={**ERRORS, 409: {"description": "The endpoint is inactive"}},
)
async def retry_delivery(
    endpoint_id: EndpointId,
    delivery_id: DeliveryId,
    principal: AdminPrincipal,
    ctx: EventsDep,
) -> DeliveryOut:
    """Queue the delivery for an attempt as soon as the dispatcher's next pass (any status)."""
    delivery = await service.retry_delivery(
        ctx,
        actor_id=principal.user.id,
        endpoint_id=endpoint_id,
        delivery_id=delivery_id,
    )
    return DeliveryOut.model_validate(delivery)
