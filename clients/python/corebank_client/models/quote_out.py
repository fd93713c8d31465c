from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="QuoteOut")


@_attrs_define
class QuoteOut:
    """
    Attributes:
        fees (str):
        interest (str):
        loan_id (int):
        on (datetime.date):
        principal (str):
        total (str):
    """

    fees: str
    interest: str
    loan_id: int
    on: datetime.date
    principal: str
    total: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fees = self.fees

        interest = self.interest

        loan_id = self.loan_id

        on = self.on.isoformat()

        principal = self.principal

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "fees": fees,
                "interest": interest,
                "loan_id": loan_id,
                "on": on,
                "principal": principal,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        fees = d.pop("fees")

        interest = d.pop("interest")

        loan_id = d.pop("loan_id")

        on = datetime.date.fromisoformat(d.pop("on"))

        principal = d.pop("principal")

        total = d.pop("total")

        quote_out = cls(
            fees=fees,
            interest=interest,
            loan_id=loan_id,
            on=on,
            principal=principal,
            total=total,
        )

        quote_out.additional_properties = d
        return quote_out

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
