from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.payment_set_total import PaymentSetTotal


T = TypeVar("T", bound="PaymentSetSummary")


@_attrs_define
class PaymentSetSummary:
    """What a challenge for a set of payments covers, to read; `legs_digest` binds the legs.

    Attributes:
        leg_count (int):
        payee_account_ids (list[int]): Every account the set pays, once each
        totals (list[PaymentSetTotal]): Per currency, in the legs' order
    """

    leg_count: int
    payee_account_ids: list[int]
    totals: list[PaymentSetTotal]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        leg_count = self.leg_count

        payee_account_ids = self.payee_account_ids

        totals = []
        for totals_item_data in self.totals:
            totals_item = totals_item_data.to_dict()
            totals.append(totals_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "leg_count": leg_count,
                "payee_account_ids": payee_account_ids,
                "totals": totals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.payment_set_total import PaymentSetTotal

        d = dict(src_dict)
        leg_count = d.pop("leg_count")

        payee_account_ids = cast(list[int], d.pop("payee_account_ids"))

        totals = []
        _totals = d.pop("totals")
        for totals_item_data in _totals:
            totals_item = PaymentSetTotal.from_dict(totals_item_data)

            totals.append(totals_item)

        payment_set_summary = cls(
            leg_count=leg_count,
            payee_account_ids=payee_account_ids,
            totals=totals,
        )

        payment_set_summary.additional_properties = d
        return payment_set_summary

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
