from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="LegIn")


@_attrs_define
class LegIn:
    """One leg of a multi-leg transaction: money from one account to another.

    Attributes:
        amount (str): Positive decimal string with at most the currency's minor digits.
        from_account_id (int): The account debited
        to_account_id (int): The account credited
    """

    amount: str
    from_account_id: int
    to_account_id: int

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        from_account_id = self.from_account_id

        to_account_id = self.to_account_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "from_account_id": from_account_id,
                "to_account_id": to_account_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        from_account_id = d.pop("from_account_id")

        to_account_id = d.pop("to_account_id")

        leg_in = cls(
            amount=amount,
            from_account_id=from_account_id,
            to_account_id=to_account_id,
        )

        return leg_in
