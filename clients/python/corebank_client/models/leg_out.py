from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LegOut")


@_attrs_define
class LegOut:
    """
    Attributes:
        amount (str):
        currency (str): The currency of both of the leg's accounts
        from_account_id (int):
        leg (int): The leg's number, counted from 1
        to_account_id (int):
    """

    amount: str
    currency: str
    from_account_id: int
    leg: int
    to_account_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        currency = self.currency

        from_account_id = self.from_account_id

        leg = self.leg

        to_account_id = self.to_account_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "from_account_id": from_account_id,
                "leg": leg,
                "to_account_id": to_account_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        currency = d.pop("currency")

        from_account_id = d.pop("from_account_id")

        leg = d.pop("leg")

        to_account_id = d.pop("to_account_id")

        leg_out = cls(
            amount=amount,
            currency=currency,
            from_account_id=from_account_id,
            leg=leg,
            to_account_id=to_account_id,
        )

        leg_out.additional_properties = d
        return leg_out

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
