from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AccountOut")


@_attrs_define
class AccountOut:
    """An account as its owner and staff see it; money as decimal strings.

    Attributes:
        available_balance (str): Balance minus open holds
        balance (str): Posted balance
        closed_at (datetime.datetime | None):
        created_at (datetime.datetime):
        currency (str):
        customer_id (int | None):
        id (int):
        nickname (None | str):
        number (str):
        overdraft_limit (str):
        status (str):
        type_ (str):
        updated_at (datetime.datetime):
    """

    available_balance: str
    balance: str
    closed_at: datetime.datetime | None
    created_at: datetime.datetime
    currency: str
    customer_id: int | None
    id: int
    nickname: None | str
    number: str
    overdraft_limit: str
    status: str
    type_: str
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        available_balance = self.available_balance

        balance = self.balance

        closed_at: None | str
        if isinstance(self.closed_at, datetime.datetime):
            closed_at = self.closed_at.isoformat()
        else:
            closed_at = self.closed_at

        created_at = self.created_at.isoformat()

        currency = self.currency

        customer_id: int | None
        customer_id = self.customer_id

        id = self.id

        nickname: None | str
        nickname = self.nickname

        number = self.number

        overdraft_limit = self.overdraft_limit

        status = self.status

        type_ = self.type_

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "available_balance": available_balance,
                "balance": balance,
                "closed_at": closed_at,
                "created_at": created_at,
                "currency": currency,
                "customer_id": customer_id,
                "id": id,
                "nickname": nickname,
                "number": number,
                "overdraft_limit": overdraft_limit,
                "status": status,
                "type": type_,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        available_balance = d.pop("available_balance")

        balance = d.pop("balance")

        def _parse_closed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                closed_at_type_0 = datetime.datetime.fromisoformat(data)

                return closed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        closed_at = _parse_closed_at(d.pop("closed_at"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        currency = d.pop("currency")

        def _parse_customer_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        customer_id = _parse_customer_id(d.pop("customer_id"))

        id = d.pop("id")

        def _parse_nickname(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        nickname = _parse_nickname(d.pop("nickname"))

        number = d.pop("number")

        overdraft_limit = d.pop("overdraft_limit")

        status = d.pop("status")

        type_ = d.pop("type")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        account_out = cls(
            available_balance=available_balance,
            balance=balance,
            closed_at=closed_at,
            created_at=created_at,
            currency=currency,
            customer_id=customer_id,
            id=id,
            nickname=nickname,
            number=number,
            overdraft_limit=overdraft_limit,
            status=status,
            type_=type_,
            updated_at=updated_at,
        )

        account_out.additional_properties = d
        return account_out

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
