from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.installment_out import InstallmentOut


T = TypeVar("T", bound="ScheduleOut")


@_attrs_define
class ScheduleOut:
    """
    Attributes:
        currency (str):
        installments (list[InstallmentOut]):
        loan_id (int):
        projected (bool): True before disbursement: due dates from today.
        total_interest (str):
        total_principal (str):
    """

    currency: str
    installments: list[InstallmentOut]
    loan_id: int
    projected: bool
    total_interest: str
    total_principal: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        installments = []
        for installments_item_data in self.installments:
            installments_item = installments_item_data.to_dict()
            installments.append(installments_item)

        loan_id = self.loan_id

        projected = self.projected

        total_interest = self.total_interest

        total_principal = self.total_principal

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "currency": currency,
                "installments": installments,
                "loan_id": loan_id,
                "projected": projected,
                "total_interest": total_interest,
                "total_principal": total_principal,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.installment_out import InstallmentOut

        d = dict(src_dict)
        currency = d.pop("currency")

        installments = []
        _installments = d.pop("installments")
        for installments_item_data in _installments:
            installments_item = InstallmentOut.from_dict(installments_item_data)

            installments.append(installments_item)

        loan_id = d.pop("loan_id")

        projected = d.pop("projected")

        total_interest = d.pop("total_interest")

        total_principal = d.pop("total_principal")

        schedule_out = cls(
            currency=currency,
            installments=installments,
            loan_id=loan_id,
            projected=projected,
            total_interest=total_interest,
            total_principal=total_principal,
        )

        schedule_out.additional_properties = d
        return schedule_out

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
