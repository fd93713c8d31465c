from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AccountTransactionOut")


@_attrs_define
class AccountTransactionOut:
    """One line of an account's history: the transaction as seen from that account.

    Attributes:
        amount (str): Signed amount on this account
        balance_after (str):
        correlation_id (None | str):
        created_at (datetime.datetime):
        currency (str):
        description (None | str):
        id (int): Transaction id
        status (str):
        type_ (str):
    """

    amount: str
    balance_after: str
    correlation_id: None | str
    created_at: datetime.datetime
    currency: str
    description: None | str
    id: int
    status: str
    type_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        balance_after = self.balance_after

        correlation_id: None | str
        correlation_id = self.correlation_id

        created_at = self.created_at.isoformat()

        currency = self.currency

        description: None | str
        description = self.description

        id = self.id

        status = self.status

        type_ = self.type_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "balance_after": balance_after,
                "correlation_id": correlation_id,
                "created_at": created_at,
                "currency": currency,
                "description": description,
                "id": id,
                "status": status,
                "type": type_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        balance_after = d.pop("balance_after")

        def _parse_correlation_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        correlation_id = _parse_correlation_id(d.pop("correlation_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        currency = d.pop("currency")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        id = d.pop("id")

        status = d.pop("status")

        type_ = d.pop("type")

        account_transaction_out = cls(
            amount=amount,
            balance_after=balance_after,
            correlation_id=correlation_id,
            created_at=created_at,
            currency=currency,
            description=description,
            id=id,
            status=status,
            type_=type_,
        )

        account_transaction_out.additional_properties = d
        return account_transaction_out

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
