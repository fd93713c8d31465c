from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.allocation_out import AllocationOut
    from ..models.loan_out import LoanOut


T = TypeVar("T", bound="RepaymentOut")


@_attrs_define
class RepaymentOut:
    """
    Attributes:
        allocation (list[AllocationOut]):
        amount (str):
        fee (str):
        id (int):
        interest (str):
        loan (LoanOut):
        loan_id (int):
        principal (str):
        transaction_id (int):
    """

    allocation: list[AllocationOut]
    amount: str
    fee: str
    id: int
    interest: str
    loan: LoanOut
    loan_id: int
    principal: str
    transaction_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        allocation = []
        for allocation_item_data in self.allocation:
            allocation_item = allocation_item_data.to_dict()
            allocation.append(allocation_item)

        amount = self.amount

        fee = self.fee

        id = self.id

        interest = self.interest

        loan = self.loan.to_dict()

        loan_id = self.loan_id

        principal = self.principal

        transaction_id = self.transaction_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "allocation": allocation,
                "amount": amount,
                "fee": fee,
                "id": id,
                "interest": interest,
                "loan": loan,
                "loan_id": loan_id,
                "principal": principal,
                "transaction_id": transaction_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.allocation_out import AllocationOut
        from ..models.loan_out import LoanOut

        d = dict(src_dict)
        allocation = []
        _allocation = d.pop("allocation")
        for allocation_item_data in _allocation:
            allocation_item = AllocationOut.from_dict(allocation_item_data)

            allocation.append(allocation_item)

        amount = d.pop("amount")

        fee = d.pop("fee")

        id = d.pop("id")

        interest = d.pop("interest")

        loan = LoanOut.from_dict(d.pop("loan"))

        loan_id = d.pop("loan_id")

        principal = d.pop("principal")

        transaction_id = d.pop("transaction_id")

        repayment_out = cls(
            allocation=allocation,
            amount=amount,
            fee=fee,
            id=id,
            interest=interest,
            loan=loan,
            loan_id=loan_id,
            principal=principal,
            transaction_id=transaction_id,
        )

        repayment_out.additional_properties = d
        return repayment_out

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
