from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StatementLine")


@_attrs_define
class StatementLine:
    """
    Attributes:
        amount (str):
        balance (str):
        created_at (datetime.datetime):
        description (None | str):
        transaction_id (int):
        type_ (str):
    """

    amount: str
    balance: str
    created_at: datetime.datetime
    description: None | str
    transaction_id: int
    type_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        balance = self.balance

        created_at = self.created_at.isoformat()

        description: None | str
        description = self.description

        transaction_id = self.transaction_id

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "balance": balance,
                "created_at": created_at,
                "description": description,
                "transaction_id": transaction_id,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        balance = d.pop("balance")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        transaction_id = d.pop("transaction_id")

        type_ = d.pop("type")

        statement_line = cls(
            amount=amount,
            balance=balance,
            created_at=created_at,
            description=description,
            transaction_id=transaction_id,
            type_=type_,
        )

        statement_line.additional_properties = d
        return statement_line

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
