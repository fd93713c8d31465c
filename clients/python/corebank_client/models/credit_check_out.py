from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreditCheckOut")


@_attrs_define
class CreditCheckOut:
    """
    Attributes:
        checked_at (datetime.datetime):
        customer_id (int):
        score (int):
        source (str):
    """

    checked_at: datetime.datetime
    customer_id: int
    score: int
    source: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checked_at = self.checked_at.isoformat()

        customer_id = self.customer_id

        score = self.score

        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checked_at": checked_at,
                "customer_id": customer_id,
                "score": score,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        checked_at = datetime.datetime.fromisoformat(d.pop("checked_at"))

        customer_id = d.pop("customer_id")

        score = d.pop("score")

        source = d.pop("source")

        credit_check_out = cls(
            checked_at=checked_at,
            customer_id=customer_id,
            score=score,
            source=source,
        )

        credit_check_out.additional_properties = d
        return credit_check_out

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
