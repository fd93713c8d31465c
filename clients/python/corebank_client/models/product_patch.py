from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.product_patch_status_type_0 import ProductPatchStatusType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="ProductPatch")


@_attrs_define
class ProductPatch:
    """What may change: the name always; every term only while no loan uses the product.

    Attributes:
        annual_rate (None | str | Unset):
        grace_installments (int | None | Unset):
        late_fee_tolerance_days (int | None | Unset):
        max_amount (None | str | Unset):
        max_term_months (int | None | Unset):
        min_amount (None | str | Unset):
        min_term_months (int | None | Unset):
        name (None | str | Unset):
        status (None | ProductPatchStatusType0 | Unset):
    """

    annual_rate: None | str | Unset = UNSET
    grace_installments: int | None | Unset = UNSET
    late_fee_tolerance_days: int | None | Unset = UNSET
    max_amount: None | str | Unset = UNSET
    max_term_months: int | None | Unset = UNSET
    min_amount: None | str | Unset = UNSET
    min_term_months: int | None | Unset = UNSET
    name: None | str | Unset = UNSET
    status: None | ProductPatchStatusType0 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        annual_rate: None | str | Unset
        if isinstance(self.annual_rate, Unset):
            annual_rate = UNSET
        else:
            annual_rate = self.annual_rate

        grace_installments: int | None | Unset
        if isinstance(self.grace_installments, Unset):
            grace_installments = UNSET
        else:
            grace_installments = self.grace_installments

        late_fee_tolerance_days: int | None | Unset
        if isinstance(self.late_fee_tolerance_days, Unset):
            late_fee_tolerance_days = UNSET
        else:
            late_fee_tolerance_days = self.late_fee_tolerance_days

        max_amount: None | str | Unset
        if isinstance(self.max_amount, Unset):
            max_amount = UNSET
        else:
            max_amount = self.max_amount

        max_term_months: int | None | Unset
        if isinstance(self.max_term_months, Unset):
            max_term_months = UNSET
        else:
            max_term_months = self.max_term_months

        min_amount: None | str | Unset
        if isinstance(self.min_amount, Unset):
            min_amount = UNSET
        else:
            min_amount = self.min_amount

        min_term_months: int | None | Unset
        if isinstance(self.min_term_months, Unset):
            min_term_months = UNSET
        else:
            min_term_months = self.min_term_months

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, ProductPatchStatusType0):
            status = self.status.value
        else:
            status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if annual_rate is not UNSET:
            field_dict["annual_rate"] = annual_rate
        if grace_installments is not UNSET:
            field_dict["grace_installments"] = grace_installments
        if late_fee_tolerance_days is not UNSET:
            field_dict["late_fee_tolerance_days"] = late_fee_tolerance_days
        if max_amount is not UNSET:
            field_dict["max_amount"] = max_amount
        if max_term_months is not UNSET:
            field_dict["max_term_months"] = max_term_months
        if min_amount is not UNSET:
            field_dict["min_amount"] = min_amount
        if min_term_months is not UNSET:
            field_dict["min_term_months"] = min_term_months
        if name is not UNSET:
            field_dict["name"] = name
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_annual_rate(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        annual_rate = _parse_annual_rate(d.pop("annual_rate", UNSET))

        def _parse_grace_installments(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        grace_installments = _parse_grace_installments(d.pop("grace_installments", UNSET))

        def _parse_late_fee_tolerance_days(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        late_fee_tolerance_days = _parse_late_fee_tolerance_days(
            d.pop("late_fee_tolerance_days", UNSET)
        )

        def _parse_max_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        max_amount = _parse_max_amount(d.pop("max_amount", UNSET))

        def _parse_max_term_months(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_term_months = _parse_max_term_months(d.pop("max_term_months", UNSET))

        def _parse_min_amount(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        min_amount = _parse_min_amount(d.pop("min_amount", UNSET))

        def _parse_min_term_months(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        min_term_months = _parse_min_term_months(d.pop("min_term_months", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_status(data: object) -> None | ProductPatchStatusType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = ProductPatchStatusType0(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ProductPatchStatusType0 | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        product_patch = cls(
            annual_rate=annual_rate,
            grace_installments=grace_installments,
            late_fee_tolerance_days=late_fee_tolerance_days,
            max_amount=max_amount,
            max_term_months=max_term_months,
            min_amount=min_amount,
            min_term_months=min_term_months,
            name=name,
            status=status,
        )

        return product_patch
