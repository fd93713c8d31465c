from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CurrencyOut")


@_attrs_define
class CurrencyOut:
    """
    Attributes:
        balances (str): Sum of the accounts' stored balances
        open_holds (str): Sum of the open holds
        postings (str): Sum of all postings (0 when the currency balances)
    """

    balances: str
    open_holds: str
    postings: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        balances = self.balances

        open_holds = self.open_holds

        postings = self.postings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "balances": balances,
                "open_holds": open_holds,
                "postings": postings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        balances = d.pop("balances")

        open_holds = d.pop("open_holds")

        postings = d.pop("postings")

        currency_out = cls(
            balances=balances,
            open_holds=open_holds,
            postings=postings,
        )

        currency_out.additional_properties = d
        return currency_out

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
