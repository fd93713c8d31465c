from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.loan_out_amortization import LoanOutAmortization
from ..models.loan_out_bucket import LoanOutBucket
from ..models.loan_out_day_count import LoanOutDayCount
from ..models.loan_out_status import LoanOutStatus

T = TypeVar("T", bound="LoanOut")


@_attrs_define
class LoanOut:
    """
    Attributes:
        account_id (int):
        amortization (LoanOutAmortization):
        amount (str):
        annual_rate (str):
        bucket (LoanOutBucket):
        created_at (datetime.datetime):
        currency (str):
        customer_id (int):
        day_count (LoanOutDayCount):
        days_past_due (int):
        decided_at (datetime.datetime | None):
        decided_by (int | None):
        decision_reason (None | str):
        disbursed_at (datetime.datetime | None):
        disbursement_transaction_id (int | None):
        id (int):
        paid_off_at (datetime.datetime | None):
        principal_outstanding (str):
        product_id (int):
        status (LoanOutStatus):
        term_months (int):
    """

    account_id: int
    amortization: LoanOutAmortization
    amount: str
    annual_rate: str
    bucket: LoanOutBucket
    created_at: datetime.datetime
    currency: str
    customer_id: int
    day_count: LoanOutDayCount
    days_past_due: int
    decided_at: datetime.datetime | None
    decided_by: int | None
    decision_reason: None | str
    disbursed_at: datetime.datetime | None
    disbursement_transaction_id: int | None
    id: int
    paid_off_at: datetime.datetime | None
    principal_outstanding: str
    product_id: int
    status: LoanOutStatus
    term_months: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id = self.account_id

        amortization = self.amortization.value

        amount = self.amount

        annual_rate = self.annual_rate

        bucket = self.bucket.value

        created_at = self.created_at.isoformat()

        currency = self.currency

        customer_id = self.customer_id

        day_count = self.day_count.value

        days_past_due = self.days_past_due

        decided_at: None | str
        if isinstance(self.decided_at, datetime.datetime):
            decided_at = self.decided_at.isoformat()
        else:
            decided_at = self.decided_at

        decided_by: int | None
        decided_by = self.decided_by

        decision_reason: None | str
        decision_reason = self.decision_reason

        disbursed_at: None | str
        if isinstance(self.disbursed_at, datetime.datetime):
            disbursed_at = self.disbursed_at.isoformat()
        else:
            disbursed_at = self.disbursed_at

        disbursement_transaction_id: int | None
        disbursement_transaction_id = self.disbursement_transaction_id

        id = self.id

        paid_off_at: None | str
        if isinstance(self.paid_off_at, datetime.datetime):
            paid_off_at = self.paid_off_at.isoformat()
        else:
            paid_off_at = self.paid_off_at

        principal_outstanding = self.principal_outstanding

        product_id = self.product_id

        status = self.status.value

        term_months = self.term_months

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "amortization": amortization,
                "amount": amount,
                "annual_rate": annual_rate,
                "bucket": bucket,
                "created_at": created_at,
                "currency": currency,
                "customer_id": customer_id,
                "day_count": day_count,
                "days_past_due": days_past_due,
                "decided_at": decided_at,
                "decided_by": decided_by,
                "decision_reason": decision_reason,
                "disbursed_at": disbursed_at,
                "disbursement_transaction_id": disbursement_transaction_id,
                "id": id,
                "paid_off_at": paid_off_at,
                "principal_outstanding": principal_outstanding,
                "product_id": product_id,
                "status": status,
                "term_months": term_months,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        amortization = LoanOutAmortization(d.pop("amortization"))

        amount = d.pop("amount")

        annual_rate = d.pop("annual_rate")

        bucket = LoanOutBucket(d.pop("bucket"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        currency = d.pop("currency")

        customer_id = d.pop("customer_id")

        day_count = LoanOutDayCount(d.pop("day_count"))

        days_past_due = d.pop("days_past_due")

        def _parse_decided_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_at_type_0 = datetime.datetime.fromisoformat(data)

                return decided_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        decided_at = _parse_decided_at(d.pop("decided_at"))

        def _parse_decided_by(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        decided_by = _parse_decided_by(d.pop("decided_by"))

        def _parse_decision_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        decision_reason = _parse_decision_reason(d.pop("decision_reason"))

        def _parse_disbursed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                disbursed_at_type_0 = datetime.datetime.fromisoformat(data)

                return disbursed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        disbursed_at = _parse_disbursed_at(d.pop("disbursed_at"))

        def _parse_disbursement_transaction_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        disbursement_transaction_id = _parse_disbursement_transaction_id(
            d.pop("disbursement_transaction_id")
        )

        id = d.pop("id")

        def _parse_paid_off_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paid_off_at_type_0 = datetime.datetime.fromisoformat(data)

                return paid_off_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        paid_off_at = _parse_paid_off_at(d.pop("paid_off_at"))

        principal_outstanding = d.pop("principal_outstanding")

        product_id = d.pop("product_id")

        status = LoanOutStatus(d.pop("status"))

        term_months = d.pop("term_months")

        loan_out = cls(
            account_id=account_id,
            amortization=amortization,
            amount=amount,
            annual_rate=annual_rate,
            bucket=bucket,
            created_at=created_at,
            currency=currency,
            customer_id=customer_id,
            day_count=day_count,
            days_past_due=days_past_due,
            decided_at=decided_at,
            decided_by=decided_by,
            decision_reason=decision_reason,
            disbursed_at=disbursed_at,
            disbursement_transaction_id=disbursement_transaction_id,
            id=id,
            paid_off_at=paid_off_at,
            principal_outstanding=principal_outstanding,
            product_id=product_id,
            status=status,
            term_months=term_months,
        )

        loan_out.additional_properties = d
        return loan_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
