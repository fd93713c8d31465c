from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.product_in_amortization import ProductInAmortization
from ..models.product_in_day_count import ProductInDayCount
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProductIn")


@_attrs_define
class ProductIn:
    """
    Attributes:
        annual_rate (str): Annual nominal rate in percent per year, e.g. "12.00" for 12 %.
        currency (str):
        max_amount (str): Positive decimal string with at most the currency's minor digits.
        max_term_months (int):
        min_amount (str): Positive decimal string with at most the currency's minor digits.
        min_term_months (int):
        name (str):
        amortization (ProductInAmortization | Unset):  Default: ProductInAmortization.ANNUITY.
        day_count (ProductInDayCount | Unset):  Default: ProductInDayCount.VALUE_0.
        grace_installments (int | Unset):  Default: 0.
        late_fee (None | str | Unset): A fixed late fee per overdue installment (money).
        late_fee_percent (None | str | Unset): Or a late fee in percent of the overdue installment.
        late_fee_tolerance_days (int | Unset):  Default: 0.
    """

    annual_rate: str
    currency: str
    max_amount: str
    max_term_months: int
    min_amount: str
    min_term_months: int
    name: str
    amortization: ProductInAmortization | Unset = ProductInAmortization.ANNUITY
    day_count: ProductInDayCount | Unset = ProductInDayCount.VALUE_0
    grace_installments: int | Unset = 0
    late_fee: None | str | Unset = UNSET
    late_fee_percent: None | str | Unset = UNSET
    late_fee_tolerance_days: int | Unset = 0

    def to_dict(self) -> dict[str, Any]:
        annual_rate = self.annual_rate

        currency = self.currency

        max_amount = self.max_amount

        max_term_months = self.max_term_months

        min_amount = self.min_amount

        min_term_months = self.min_term_months

        name = self.name

        amortization: str | Unset = UNSET
        if not isinstance(self.amortization, Unset):
            amortization = self.amortization.value

        day_count: str | Unset = UNSET
        if not isinstance(self.day_count, Unset):
            day_count = self.day_count.value

        grace_installments = self.grace_installments

        late_fee: None | str | Unset
        if isinstance(self.late_fee, Unset):
            late_fee = UNSET
        else:
            late_fee = self.late_fee

        late_fee_percent: None | str | Unset
        if isinstance(self.late_fee_percent, Unset):
            late_fee_percent = UNSET
        else:
            late_fee_percent = self.late_fee_percent

        late_fee_tolerance_days = self.late_fee_tolerance_days

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "annual_rate": annual_rate,
                "currency": currency,
                "max_amount": max_amount,
                "max_term_months": max_term_months,
                "min_amount": min_amount,
                "min_term_months": min_term_months,
                "name": name,
            }
        )
        if amortization is not UNSET:
            field_dict["amortization"] = amortization
        if day_count is not UNSET:
            field_dict["day_count"] = day_count
        if grace_installments is not UNSET:
            field_dict["grace_installments"] = grace_installments
        if late_fee is not UNSET:
            field_dict["late_fee"] = late_fee
        if late_fee_percent is not UNSET:
            field_dict["late_fee_percent"] = late_fee_percent
        if late_fee_tolerance_days is not UNSET:
            field_dict["late_fee_tolerance_days"] = late_fee_tolerance_days

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        annual_rate = d.pop("annual_rate")

        currency = d.pop("currency")

        max_amount = d.pop("max_amount")

        max_term_months = d.pop("max_term_months")

        min_amount = d.pop("min_amount")

        min_term_months = d.pop("min_term_months")

        name = d.pop("name")

        _amortization = d.pop("amortization", UNSET)
        amortization: ProductInAmortization | Unset
        if isinstance(_amortization, Unset):
            amortization = UNSET
        else:
            amortization = ProductInAmortization(_amortization)

        _day_count = d.pop("day_count", UNSET)
        day_count: ProductInDayCount | Unset
        if isinstance(_day_count, Unset):
            day_count = UNSET
        else:
            day_count = ProductInDayCount(_day_count)

        grace_installments = d.pop("grace_installments", UNSET)

        def _parse_late_fee(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        late_fee = _parse_late_fee(d.pop("late_fee", UNSET))

        def _parse_late_fee_percent(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        late_fee_percent = _parse_late_fee_percent(d.pop("late_fee_percent", UNSET))

        late_fee_tolerance_days = d.pop("late_fee_tolerance_days", UNSET)

        product_in = cls(
            annual_rate=annual_rate,
            currency=currency,
            max_amount=max_amount,
            max_term_months=max_term_months,
            min_amount=min_amount,
            min_term_months=min_term_months,
            name=name,
            amortization=amortization,
            day_count=day_count,
            grace_installments=grace_installments,
            late_fee=late_fee,
            late_fee_percent=late_fee_percent,
            late_fee_tolerance_days=late_fee_tolerance_days,
        )

        return product_in
