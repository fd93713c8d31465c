from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LoanIn")


@_attrs_define
class LoanIn:
    """
    Attributes:
        account_id (int): Where the money goes: a current account of the customer, same currency.
        amount (str): Positive decimal string with at most the currency's minor digits.
        product_id (int):
        term_months (int):
        customer_id (int | None | Unset): Staff name the customer; a customer applies for self.
    """

    account_id: int
    amount: str
    product_id: int
    term_months: int
    customer_id: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        account_id = self.account_id

        amount = self.amount

        product_id = self.product_id

        term_months = self.term_months

        customer_id: int | None | Unset
        if isinstance(self.customer_id, Unset):
            customer_id = UNSET
        else:
            customer_id = self.customer_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "account_id": account_id,
                "amount": amount,
                "product_id": product_id,
                "term_months": term_months,
            }
        )
        if customer_id is not UNSET:
            field_dict["customer_id"] = customer_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        amount = d.pop("amount")

        product_id = d.pop("product_id")

        term_months = d.pop("term_months")

        def _parse_customer_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        customer_id = _parse_customer_id(d.pop("customer_id", UNSET))

        loan_in = cls(
            account_id=account_id,
            amount=amount,
            product_id=product_id,
            term_months=term_months,
            customer_id=customer_id,
        )

        return loan_in
