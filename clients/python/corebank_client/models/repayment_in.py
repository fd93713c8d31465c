from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RepaymentIn")


@_attrs_define
class RepaymentIn:
    """
    Attributes:
        amount (str): Positive decimal string with at most the currency's minor digits.
        cash (bool | Unset): Staff: cash paid in at the counter. Default: False.
        from_account_id (int | None | Unset): The paying account; default the loan's account.
    """

    amount: str
    cash: bool | Unset = False
    from_account_id: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        cash = self.cash

        from_account_id: int | None | Unset
        if isinstance(self.from_account_id, Unset):
            from_account_id = UNSET
        else:
            from_account_id = self.from_account_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
            }
        )
        if cash is not UNSET:
            field_dict["cash"] = cash
        if from_account_id is not UNSET:
            field_dict["from_account_id"] = from_account_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        cash = d.pop("cash", UNSET)

        def _parse_from_account_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        from_account_id = _parse_from_account_id(d.pop("from_account_id", UNSET))

        repayment_in = cls(
            amount=amount,
            cash=cash,
            from_account_id=from_account_id,
        )

        return repayment_in
