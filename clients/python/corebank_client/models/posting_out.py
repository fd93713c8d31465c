from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PostingOut")


@_attrs_define
class PostingOut:
    """
    Attributes:
        account_id (int):
        amount (str): Signed, in the account's currency: positive credits the account, negative debits it
        balance_after (None | str | Unset): The account's balance after this posting (if yours to see)
    """

    account_id: int
    amount: str
    balance_after: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id = self.account_id

        amount = self.amount

        balance_after: None | str | Unset
        if isinstance(self.balance_after, Unset):
            balance_after = UNSET
        else:
            balance_after = self.balance_after

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "amount": amount,
            }
        )
        if balance_after is not UNSET:
            field_dict["balance_after"] = balance_after

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        amount = d.pop("amount")

        def _parse_balance_after(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        balance_after = _parse_balance_after(d.pop("balance_after", UNSET))

        posting_out = cls(
            account_id=account_id,
            amount=amount,
            balance_after=balance_after,
        )

        posting_out.additional_properties = d
        return posting_out

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
