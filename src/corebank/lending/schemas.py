"""Loan products, loans, schedules and repayments as the API shows them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from corebank.core.money import PositiveAmountStr

RatePercent = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{1,3}(\.[0-9]{1,4})?$",
        description='Annual nominal rate in percent per year, e.g. "12.00" for 12 %.',
        examples=["12.00"],
    ),
]
Amortization = Literal["annuity", "flat_principal"]
DayCount = Literal["30/360", "actual/365"]


class ProductIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    annual_rate: RatePercent
    min_term_months: int = Field(ge=1, le=480)
    max_term_months: int = Field(ge=1, le=480)
    min_amount: PositiveAmountStr
    max_amount: PositiveAmountStr
    amortization: Amortization = "annuity"
    day_count: DayCount = "30/360"
    grace_installments: int = Field(default=0, ge=0, le=24)
    late_fee: PositiveAmountStr | None = Field(
        default=None, description="A fixed late fee per overdue installment (money)."
    )
    late_fee_percent: str | None = Field(
        default=None,
        pattern=r"^[0-9]{1,2}(\.[0-9]{1,4})?$",
        description="Or a late fee in percent of the overdue installment.",
    )
    late_fee_tolerance_days: int = Field(default=0, ge=0, le=90)

    @model_validator(mode="after")
    def _one_late_fee(self) -> ProductIn:
        if self.late_fee is not None and self.late_fee_percent is not None:
            raise ValueError("give late_fee or late_fee_percent, not both")
        if self.min_term_months > self.max_term_months:
            raise ValueError("min_term_months is above max_term_months")
        return self


class ProductPatch(BaseModel):
    """What may change: the name always; every term only while no loan uses the product."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    status: Literal["active", "retired"] | None = None
    annual_rate: RatePercent | None = None
    min_term_months: int | None = Field(default=None, ge=1, le=480)
    max_term_months: int | None = Field(default=None, ge=1, le=480)
    min_amount: PositiveAmountStr | None = None
    max_amount: PositiveAmountStr | None = None
    grace_installments: int | None = Field(default=None, ge=0, le=24)
    late_fee_tolerance_days: int | None = Field(default=None, ge=0, le=90)


class ProductOut(BaseModel):
    id: int
    name: str
    currency: str
    annual_rate: str
    min_term_months: int
    max_term_months: int
    min_amount: str
    max_amount: str
    amortization: Amortization
    day_count: DayCount
    grace_installments: int
    late_fee: str | None
    late_fee_percent: str | None
    late_fee_tolerance_days: int
    status: Literal["active", "retired"]
    created_at: datetime


class LoanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_id: int = Field(ge=1)
    customer_id: int | None = Field(
        default=None, ge=1, description="Staff name the customer; a customer applies for self."
    )
    amount: PositiveAmountStr
    term_months: int = Field(ge=1, le=480)
    account_id: int = Field(
        ge=1, description="Where the money goes: a current account of the customer, same currency."
    )


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class LoanOut(BaseModel):
    id: int
    product_id: int
    customer_id: int
    account_id: int
    currency: str
    amount: str
    term_months: int
    annual_rate: str
    amortization: Amortization
    day_count: DayCount
    status: Literal["applied", "approved", "rejected", "active", "paid_off"]
    decision_reason: str | None
    decided_by: int | None
    decided_at: datetime | None
    disbursed_at: datetime | None
    disbursement_transaction_id: int | None
    principal_outstanding: str
    days_past_due: int
    bucket: Literal["current", "1-30", "31-60", "61-90", "90+"]
    paid_off_at: datetime | None
    created_at: datetime


class InstallmentOut(BaseModel):
    number: int
    due_on: date
    principal: str
    interest: str
    fee: str
    total: str
    remaining_principal: str
    paid: str = Field(description="What has been paid of it (fee, interest and principal).")
    status: Literal["projected", "due", "paid", "overdue"]


class ScheduleOut(BaseModel):
    loan_id: int
    currency: str
    projected: bool = Field(description="True before disbursement: due dates from today.")
    installments: list[InstallmentOut]
    total_principal: str
    total_interest: str


class RepaymentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: PositiveAmountStr
    from_account_id: int | None = Field(
        default=None, ge=1, description="The paying account; default the loan's account."
    )
    cash: bool = Field(default=False, description="Staff: cash paid in at the counter.")


class AllocationOut(BaseModel):
    installment: int | None = Field(description="None: prepaid principal (future installments).")
    fee: str
    interest: str
    principal: str


class RepaymentOut(BaseModel):
    id: int
    loan_id: int
    transaction_id: int
    amount: str
    fee: str
    interest: str
    principal: str
    allocation: list[AllocationOut]
    loan: LoanOut


class QuoteOut(BaseModel):
    loan_id: int
    on: date
    principal: str = Field(description="All the outstanding principal.")
    interest: str = Field(description="Interest due and accrued since the last due date.")
    fees: str = Field(description="Late fees due (those a repayment today would charge too).")
    total: str = Field(description="The payoff: repaying exactly this pays the loan off.")
    due: str = Field(description="What is due today (fees, interest, principal due).")
    principal_not_due: str = Field(description="The principal of the installments to come.")


class StatementLine(BaseModel):
    on: datetime
    kind: Literal["disbursement", "repayment", "late_fee"]
    amount: str
    fee: str | None = Field(default=None, description="Of a repayment: what went to fees.")
    interest: str | None = None
    principal: str | None = None
    installment: int | None = Field(default=None, description="Of a late fee: its installment.")
    transaction_id: int | None = None


class StatementOut(BaseModel):
    loan: LoanOut
    lines: list[StatementLine]
