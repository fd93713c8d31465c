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
        due (str): What is due today (fees, interest, principal due).
        fees (str): Late fees due (those a repayment today would charge too).
        interest (str): Interest due and accrued since the last due date.
        loan_id (int):
        on (datetime.date):
        principal (str): All the outstanding principal.
        principal_not_due (str): The principal of the installments to come.
        total (str): The payoff: repaying exactly this pays the loan off.
    """

    due: str
    fees: str
    interest: str
    loan_id: int
    on: datetime.date
    principal: str
    principal_not_due: str
    total: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        due = self.due

        fees = self.fees

        interest = self.interest

        loan_id = self.loan_id

        on = self.on.isoformat()

        principal = self.principal

        principal_not_due = self.principal_not_due

        total = self.total

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "due": due,
                "fees": fees,
                "interest": interest,
                "loan_id": loan_id,
                "on": on,
                "principal": principal,
                "principal_not_due": principal_not_due,
                "total": total,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        due = d.pop("due")

        fees = d.pop("fees")

        interest = d.pop("interest")

        loan_id = d.pop("loan_id")

        on = datetime.date.fromisoformat(d.pop("on"))

        principal = d.pop("principal")

        principal_not_due = d.pop("principal_not_due")

        total = d.pop("total")

        quote_out = cls(
            due=due,
            fees=fees,
            interest=interest,
            loan_id=loan_id,
            on=on,
            principal=principal,
            principal_not_due=principal_not_due,
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
