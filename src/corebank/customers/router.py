"""Customer endpoints: staff and admins manage records; a customer user reads their own."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from starlette.responses import JSONResponse

from corebank.approvals.schemas import PENDING_APPROVAL, ApprovalOut, accepted
from corebank.core.api import API_PREFIX
from corebank.core.deps import CursorCodecDep, PageDep
from corebank.core.pagination import Page
from corebank.core.timestamps import Timestamp
from corebank.customers import service
from corebank.customers.context import CustomerContext
from corebank.customers.repository import Filters
from corebank.customers.schemas import CustomerCreate, CustomerOut, CustomerUpdate, KycChange
from corebank.customers.search import MAX_QUERY_LENGTH
from corebank.customers.validation import MAX_ID
from corebank.identity.deps import AdminPrincipal, CurrentPrincipal, StaffPrincipal
from corebank.models.customer import Customer, CustomerStatus, KycStatus

router = APIRouter(prefix=f"{API_PREFIX}/customers", tags=["customers"])


async def customer_context(request: Request) -> CustomerContext:
    return request.app.state.container.customers


CustomersDep = Annotated[CustomerContext, Depends(customer_context)]
CustomerId = Annotated[int, Path(ge=1, le=MAX_ID)]

_401 = {401: {"description": "Not authenticated"}}
_403 = {403: {"description": "Role not allowed"}}
_404 = {404: {"description": "No such customer (or not yours)"}}
_409_DUP = {409: {"description": "E-mail, phone or linked user already used by another customer"}}
_422 = {422: {"description": "Validation failed"}}
STAFF_ERRORS: dict[int | str, dict[str, Any]] = {**_401, **_403, **_404, **_422}


def _out(ctx: CustomerContext, customer: Customer) -> CustomerOut:
    return CustomerOut.of(customer, currency=ctx.currency)


@router.post(
    "",
    summary="Create a customer",
    status_code=status.HTTP_201_CREATED,
    response_model=CustomerOut,
    responses={**_401, **_403, **_409_DUP, **_422},
)
async def create_customer(
    body: CustomerCreate, principal: StaffPrincipal, ctx: CustomersDep
) -> CustomerOut:
    """Create a customer record (staff); a user with the same e-mail is linked to it."""
    customer = await service.create_customer(
        ctx, actor_id=principal.user.id, fields=body.model_dump()
    )
    return _out(ctx, customer)


@router.get(
    "",
    summary="List and search customers",
    response_model=Page[CustomerOut],
    responses={**_401, **_403, **_422},
)
async def list_customers(
    principal: StaffPrincipal,
    ctx: CustomersDep,
    page: PageDep,
    codec: CursorCodecDep,
    kyc_status: KycStatus | None = None,
    customer_status: Annotated[CustomerStatus, Query(alias="status")] = CustomerStatus.active,
    created_from: Timestamp | None = None,
    created_to: Timestamp | None = None,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_QUERY_LENGTH,
            description="Part of a name, e-mail or phone; case, accents and wildcards ignored",
        ),
    ] = None,
) -> Page[CustomerOut]:
    """Customers, newest first (staff), filtered and searched; deleted ones only on request."""
    filters = Filters(
        kyc_status=kyc_status,
        status=customer_status,
        created_from=created_from,
        created_to=created_to,
    )
    rows, next_cursor = await service.list_customers(
        ctx, codec=codec, params=page, filters=filters, q=q
    )
    return Page[CustomerOut](items=[_out(ctx, c) for c in rows], next_cursor=next_cursor)


@router.get(
    "/me", summary="My customer record", response_model=CustomerOut, responses={**_401, **_404}
)
async def read_my_customer(principal: CurrentPrincipal, ctx: CustomersDep) -> CustomerOut:
    """The customer record linked to the caller's user (404 when none is linked)."""
    return _out(ctx, await service.my_customer(ctx, user_id=principal.user.id))


@router.get(
    "/{customer_id}",
    summary="Read a customer",
    response_model=CustomerOut,
    responses={**_401, **_404, **_422},
)
async def read_customer(
    customer_id: CustomerId, principal: CurrentPrincipal, ctx: CustomersDep
) -> CustomerOut:
    """A customer record: staff read any; a customer user only their own (else 404)."""
    viewer = None if principal.is_staff else principal.user.id
    return await service.read_customer(ctx, customer_id=customer_id, viewer_user_id=viewer)


@router.patch(
    "/{customer_id}",
    summary="Update a customer",
    response_model=CustomerOut,
    responses={**STAFF_ERRORS, **_409_DUP, 202: PENDING_APPROVAL},
)
async def update_customer(
    customer_id: CustomerId, body: CustomerUpdate, principal: StaffPrincipal, ctx: CustomersDep
) -> CustomerOut | JSONResponse:
    """Change some fields (staff), validated as on create; null clears an optional field.
    A credit-limit raise above the approval threshold answers 202 with a pending approval
    request: nothing changes until a second person approves (docs/approvals.md)."""
    customer = await service.update_customer(
        ctx,
        actor_id=principal.user.id,
        customer_id=customer_id,
        fields=body.model_dump(exclude_unset=True),
    )
    if isinstance(customer, ApprovalOut):
        return accepted(customer)
    return _out(ctx, customer)


@router.delete(
    "/{customer_id}",
    summary="Delete a customer",
    status_code=204,
    responses={**STAFF_ERRORS, 409: {"description": "Has an account holding money"}},
)
async def delete_customer(
    customer_id: CustomerId, principal: StaffPrincipal, ctx: CustomersDep
) -> Response:
    """Soft delete (staff): the record leaves lists, search and lookups; admins can restore it."""
    await service.delete_customer(ctx, actor_id=principal.user.id, customer_id=customer_id)
    return Response(status_code=204)


@router.post(
    "/{customer_id}/restore",
    summary="Restore a customer",
    response_model=CustomerOut,
    responses={**STAFF_ERRORS, 409: {"description": "Not deleted, or now clashes"}},
)
async def restore_customer(
    customer_id: CustomerId, principal: AdminPrincipal, ctx: CustomersDep
) -> CustomerOut:
    """Undo a soft delete (admins); 409 if its e-mail, phone or user is now someone else's."""
    customer = await service.restore_customer(
        ctx, actor_id=principal.user.id, customer_id=customer_id
    )
    return _out(ctx, customer)


@router.post(
    "/{customer_id}/kyc",
    summary="Record a KYC decision",
    response_model=CustomerOut,
    responses={**STAFF_ERRORS, 202: PENDING_APPROVAL},
)
async def set_kyc(
    customer_id: CustomerId, body: KycChange, principal: StaffPrincipal, ctx: CustomersDep
) -> CustomerOut | JSONResponse:
    """Set the KYC status (pending, verified, rejected) with a reason; audited every time.
    With `kyc_override` in APPROVAL_OPERATIONS, `verified` answers 202 with a pending approval
    request, applied when a second person approves (docs/approvals.md)."""
    customer = await service.set_kyc(
        ctx,
        actor_id=principal.user.id,
        customer_id=customer_id,
        status=body.status,
        reason=body.reason,
    )
    if isinstance(customer, ApprovalOut):
        return accepted(customer)
    return _out(ctx, customer)
