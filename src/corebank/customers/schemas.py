"""Customer requests (unknown fields refused) and responses (national_id masked)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from corebank.core.money import AmountStr, format_amount
from corebank.customers import validation
from corebank.customers.validation import MAX_ID
from corebank.models.customer import Customer, CustomerStatus, KycStatus

PersonName = Annotated[
    str,
    AfterValidator(validation.clean_name),
    Field(description="1-100 characters after trimming; no control or zero-width characters"),
]
Email = Annotated[
    str,
    AfterValidator(validation.canonical_email),
    Field(description="Stored normalized and lower case; unique among customers"),
]
Phone = Annotated[
    str,
    Field(
        min_length=1,
        max_length=validation.MAX_PHONE_INPUT,
        description="Any common format; without +country it is read in DEFAULT_PHONE_REGION. "
        "Returned in E.164.",
        examples=["+12025550143", "(202) 555-0143"],
    ),
]
NationalId = Annotated[
    str,
    AfterValidator(validation.clean_national_id),
    Field(description="Stored; only its last 4 characters are ever returned"),
]
BirthDate = Annotated[
    date,
    BeforeValidator(validation.iso_date_text),
    Field(description="YYYY-MM-DD, in the past; age >= MIN_CUSTOMER_AGE"),
]
CreditLimit = Annotated[AmountStr, Field(description="Base currency, 0 <= x <= MAX_CREDIT_LIMIT")]
UserId = Annotated[
    int, Field(strict=True, ge=1, le=MAX_ID, description="Link to this user (must exist)")
]


def _text(max_length: int, what: str) -> AfterValidator:
    return AfterValidator(
        lambda value: validation.clean_text(value, max_length=max_length, what=what)
    )


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line1: Annotated[str, _text(200, "line1")]
    line2: Annotated[str, _text(200, "line2")] | None = None
    city: Annotated[str, _text(100, "city")]
    postal_code: Annotated[str, _text(20, "postal_code")] | None = None
    country: Annotated[
        str,
        AfterValidator(validation.country_code),
        Field(description="ISO 3166-1 alpha-2", examples=["US"]),
    ]


class CustomerCreate(BaseModel):
    """A new customer. With no `user_id`, a user with the same e-mail is linked if one exists."""

    model_config = ConfigDict(extra="forbid")

    first_name: PersonName
    last_name: PersonName
    email: Email
    phone: Phone
    date_of_birth: BirthDate | None = None
    address: Address | None = None
    national_id: NationalId | None = None
    credit_limit: CreditLimit = "0.00"
    user_id: UserId | None = None


REQUIRED_FIELDS = ("first_name", "last_name", "email", "phone", "credit_limit")


class CustomerUpdate(BaseModel):
    """Fields to change; null clears an optional field (address, national_id, user_id...)."""

    model_config = ConfigDict(extra="forbid")

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    email: Email | None = None
    phone: Phone | None = None
    date_of_birth: BirthDate | None = None
    address: Address | None = None
    national_id: NationalId | None = None
    credit_limit: CreditLimit | None = None
    user_id: UserId | None = None

    @field_validator(*REQUIRED_FIELDS, mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        if value is None:
            raise ValueError("this field cannot be null")
        return value


class KycChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: KycStatus
    reason: Annotated[str, _text(500, "reason"), Field(description="Why; kept in the audit trail")]


class AddressOut(BaseModel):
    line1: str
    line2: str | None
    city: str
    postal_code: str | None
    country: str


class CustomerOut(BaseModel):
    id: int
    user_id: int | None
    first_name: str
    last_name: str
    email: str
    phone: str = Field(description="E.164")
    date_of_birth: date | None
    address: AddressOut | None
    national_id_masked: str | None = Field(
        description="'****' and the last 4 characters", examples=["****1234"]
    )
    credit_limit: str = Field(examples=["0.00"])
    currency: str = Field(description="Currency of credit_limit (the bank's base currency)")
    kyc_status: KycStatus
    kyc_reason: str | None
    kyc_updated_at: datetime | None
    status: CustomerStatus
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, customer: Customer, *, currency: str) -> CustomerOut:
        return cls(
            id=customer.id,
            user_id=customer.user_id,
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=customer.email,
            phone=customer.phone,
            date_of_birth=customer.date_of_birth,
            address=_address(customer),
            national_id_masked=validation.mask_national_id(customer.national_id),
            credit_limit=format_amount(customer.credit_limit_minor, currency),
            currency=currency,
            kyc_status=customer.kyc_status,
            kyc_reason=customer.kyc_reason,
            kyc_updated_at=customer.kyc_updated_at,
            status=customer.status,
            created_at=customer.created_at,
            updated_at=customer.updated_at,
        )


def _address(customer: Customer) -> AddressOut | None:
    if customer.address_line1 is None or customer.city is None or customer.country is None:
        return None
    return AddressOut(
        line1=customer.address_line1,
        line2=customer.address_line2,
        city=customer.city,
        postal_code=customer.postal_code,
        country=customer.country,
    )
