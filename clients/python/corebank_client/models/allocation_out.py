from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AllocationOut")


@_attrs_define
class AllocationOut:
    """
    Attributes:
        fee (str):
        installment (int | None): None: prepaid principal (future installments).
        interest (str):
        principal (str):
    """

    fee: str
    installment: int | None
    interest: str
    principal: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        fee = self.fee

        installment: int | None
        installment = self.installment

        interest = self.interest

        principal = self.principal

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "fee": fee,
                "installment": installment,
                "interest": interest,
                "principal": principal,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        fee = d.pop("fee")

        def _parse_installment(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        installment = _parse_installment(d.pop("installment"))

        interest = d.pop("interest")

        principal = d.pop("principal")

        allocation_out = cls(
            fee=fee,
            installment=installment,
            interest=interest,
            principal=principal,
        )

        allocation_out.additional_properties = d
        return allocation_out

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
