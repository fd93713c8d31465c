from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BalanceOut")


@_attrs_define
class BalanceOut:
    """
    Attributes:
        account_id (int):
        at (datetime.datetime):
        balance (str):
        currency (str):
    """

    account_id: int
    at: datetime.datetime
    balance: str
    currency: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id = self.account_id

        at = self.at.isoformat()

        balance = self.balance

        currency = self.currency

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "at": at,
                "balance": balance,
                "currency": currency,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        balance = d.pop("balance")

        currency = d.pop("currency")

        balance_out = cls(
            account_id=account_id,
            at=at,
            balance=balance,
            currency=currency,
        )

        balance_out.additional_properties = d
        return balance_out

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
