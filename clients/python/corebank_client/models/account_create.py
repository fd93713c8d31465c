from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.openable_type import OpenableType
from ..types import UNSET, Unset

T = TypeVar("T", bound="AccountCreate")


@_attrs_define
class AccountCreate:
    """Open an account. Staff name the customer; a customer omits `customer_id` (their own).

    Attributes:
        currency (str): ISO 4217 code, one of the bank's currencies
        type_ (OpenableType):
        customer_id (int | None | Unset):
        nickname (None | str | Unset):
    """

    currency: str
    type_: OpenableType
    customer_id: int | None | Unset = UNSET
    nickname: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        currency = self.currency

        type_ = self.type_.value

        customer_id: int | None | Unset
        if isinstance(self.customer_id, Unset):
            customer_id = UNSET
        else:
            customer_id = self.customer_id

        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "currency": currency,
                "type": type_,
            }
        )
        if customer_id is not UNSET:
            field_dict["customer_id"] = customer_id
        if nickname is not UNSET:
            field_dict["nickname"] = nickname

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        currency = d.pop("currency")

        type_ = OpenableType(d.pop("type"))

        def _parse_customer_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        customer_id = _parse_customer_id(d.pop("customer_id", UNSET))

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        account_create = cls(
            currency=currency,
            type_=type_,
            customer_id=customer_id,
            nickname=nickname,
        )

        return account_create
