from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.installment_out_status import InstallmentOutStatus

T = TypeVar("T", bound="InstallmentOut")


@_attrs_define
class InstallmentOut:
    """
    Attributes:
        due_on (datetime.date):
        fee (str):
        interest (str):
        number (int):
        paid (str): What has been paid of it (fee, interest and principal).
        principal (str):
        remaining_principal (str):
        status (InstallmentOutStatus):
        total (str):
    """

    due_on: datetime.date
    fee: str
    interest: str
    number: int
    paid: str
    principal: str
    remaining_principal: str
    status: InstallmentOutStatus
    total: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        due_on = self.due_on.isoformat()

        fee = self.fee

        interest = self.interest

        number = self.number

        paid = self.paid

        principal = self.principal

        remaining_principal = self.remaining_principal

        status = self.status.value

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "due_on": due_on,
                "fee": fee,
                "interest": interest,
                "number": number,
                "paid": paid,
                "principal": principal,
                "remaining_principal": remaining_principal,
                "status": status,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        due_on = datetime.date.fromisoformat(d.pop("due_on"))

        fee = d.pop("fee")

        interest = d.pop("interest")

        number = d.pop("number")

        paid = d.pop("paid")

        principal = d.pop("principal")

        remaining_principal = d.pop("remaining_principal")

        status = InstallmentOutStatus(d.pop("status"))

        total = d.pop("total")

        installment_out = cls(
            due_on=due_on,
            fee=fee,
            interest=interest,
            number=number,
            paid=paid,
            principal=principal,
            remaining_principal=remaining_principal,
            status=status,
            total=total,
        )

        installment_out.additional_properties = d
        return installment_out

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
