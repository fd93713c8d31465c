from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.product_out_amortization import ProductOutAmortization
from ..models.product_out_day_count import ProductOutDayCount
from ..models.product_out_status import ProductOutStatus

T = TypeVar("T", bound="ProductOut")


@_attrs_define
class ProductOut:
    """
    Attributes:
        amortization (ProductOutAmortization):
        annual_rate (str):
        created_at (datetime.datetime):
        currency (str):
        day_count (ProductOutDayCount):
        grace_installments (int):
        id (int):
        late_fee (None | str):
        late_fee_percent (None | str):
        late_fee_tolerance_days (int):
        max_amount (str):
        max_term_months (int):
        min_amount (str):
        min_term_months (int):
        name (str):
        status (ProductOutStatus):
    """

    amortization: ProductOutAmortization
    annual_rate: str
    created_at: datetime.datetime
    currency: str
    day_count: ProductOutDayCount
    grace_installments: int
    id: int
    late_fee: None | str
    late_fee_percent: None | str
    late_fee_tolerance_days: int
    max_amount: str
    max_term_months: int
    min_amount: str
    min_term_months: int
    name: str
    status: ProductOutStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amortization = self.amortization.value

        annual_rate = self.annual_rate

        created_at = self.created_at.isoformat()

        currency = self.currency

        day_count = self.day_count.value

        grace_installments = self.grace_installments

        id = self.id

        late_fee: None | str
        late_fee = self.late_fee

        late_fee_percent: None | str
        late_fee_percent = self.late_fee_percent

        late_fee_tolerance_days = self.late_fee_tolerance_days

        max_amount = self.max_amount

        max_term_months = self.max_term_months

        min_amount = self.min_amount

        min_term_months = self.min_term_months

        name = self.name

        status = self.status.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amortization": amortization,
                "annual_rate": annual_rate,
                "created_at": created_at,
                "currency": currency,
                "day_count": day_count,
                "grace_installments": grace_installments,
                "id": id,
                "late_fee": late_fee,
                "late_fee_percent": late_fee_percent,
                "late_fee_tolerance_days": late_fee_tolerance_days,
                "max_amount": max_amount,
                "max_term_months": max_term_months,
                "min_amount": min_amount,
                "min_term_months": min_term_months,
                "name": name,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amortization = ProductOutAmortization(d.pop("amortization"))

        annual_rate = d.pop("annual_rate")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        currency = d.pop("currency")

        day_count = ProductOutDayCount(d.pop("day_count"))

        grace_installments = d.pop("grace_installments")

        id = d.pop("id")

        def _parse_late_fee(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        late_fee = _parse_late_fee(d.pop("late_fee"))

        def _parse_late_fee_percent(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        late_fee_percent = _parse_late_fee_percent(d.pop("late_fee_percent"))

        late_fee_tolerance_days = d.pop("late_fee_tolerance_days")

        max_amount = d.pop("max_amount")

        max_term_months = d.pop("max_term_months")

        min_amount = d.pop("min_amount")

        min_term_months = d.pop("min_term_months")

        name = d.pop("name")

        status = ProductOutStatus(d.pop("status"))

        product_out = cls(
            amortization=amortization,
            annual_rate=annual_rate,
            created_at=created_at,
            currency=currency,
            day_count=day_count,
            grace_installments=grace_installments,
            id=id,
            late_fee=late_fee,
            late_fee_percent=late_fee_percent,
            late_fee_tolerance_days=late_fee_tolerance_days,
            max_amount=max_amount,
            max_term_months=max_term_months,
            min_amount=min_amount,
            min_term_months=min_term_months,
            name=name,
            status=status,
        )

        product_out.additional_properties = d
        return product_out

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
