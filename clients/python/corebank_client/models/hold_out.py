from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="HoldOut")


@_attrs_define
class HoldOut:
    """
    Attributes:
        account_id (int):
        amount (str):
        captured_amount (str):
        created_at (datetime.datetime):
        currency (str):
        description (None | str):
        expires_at (datetime.datetime | None):
        id (int):
        resolved_at (datetime.datetime | None):
        status (str):
        transaction_id (int | None): The capture's transaction
    """

    account_id: int
    amount: str
    captured_amount: str
    created_at: datetime.datetime
    currency: str
    description: None | str
    expires_at: datetime.datetime | None
    id: int
    resolved_at: datetime.datetime | None
    status: str
    transaction_id: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id = self.account_id

        amount = self.amount

        captured_amount = self.captured_amount

        created_at = self.created_at.isoformat()

        currency = self.currency

        description: None | str
        description = self.description

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        id = self.id

        resolved_at: None | str
        if isinstance(self.resolved_at, datetime.datetime):
            resolved_at = self.resolved_at.isoformat()
        else:
            resolved_at = self.resolved_at

        status = self.status

        transaction_id: int | None
        transaction_id = self.transaction_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "amount": amount,
                "captured_amount": captured_amount,
                "created_at": created_at,
                "currency": currency,
                "description": description,
                "expires_at": expires_at,
                "id": id,
                "resolved_at": resolved_at,
                "status": status,
                "transaction_id": transaction_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        amount = d.pop("amount")

        captured_amount = d.pop("captured_amount")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        currency = d.pop("currency")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        id = d.pop("id")

        def _parse_resolved_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                resolved_at_type_0 = datetime.datetime.fromisoformat(data)

                return resolved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        resolved_at = _parse_resolved_at(d.pop("resolved_at"))

        status = d.pop("status")

        def _parse_transaction_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        transaction_id = _parse_transaction_id(d.pop("transaction_id"))

        hold_out = cls(
            account_id=account_id,
            amount=amount,
            captured_amount=captured_amount,
            created_at=created_at,
            currency=currency,
            description=description,
            expires_at=expires_at,
            id=id,
            resolved_at=resolved_at,
            status=status,
            transaction_id=transaction_id,
        )

        hold_out.additional_properties = d
        return hold_out

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
