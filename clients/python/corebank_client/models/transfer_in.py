from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="TransferIn")


@_attrs_define
class TransferIn:
    """A transfer to an account named by id or by number (exactly one of the two).

    Attributes:
        amount (str): Positive decimal string with at most the currency's minor digits.
        from_account_id (int):
        description (None | str | Unset):
        to_account_id (int | None | Unset):
        to_account_number (None | str | Unset):
    """

    amount: str
    from_account_id: int
    description: None | str | Unset = UNSET
    to_account_id: int | None | Unset = UNSET
    to_account_number: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        amount = self.amount

        from_account_id = self.from_account_id

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        to_account_id: int | None | Unset
        if isinstance(self.to_account_id, Unset):
            to_account_id = UNSET
        else:
            to_account_id = self.to_account_id

        to_account_number: None | str | Unset
        if isinstance(self.to_account_number, Unset):
            to_account_number = UNSET
        else:
            to_account_number = self.to_account_number

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "amount": amount,
                "from_account_id": from_account_id,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if to_account_id is not UNSET:
            field_dict["to_account_id"] = to_account_id
        if to_account_number is not UNSET:
            field_dict["to_account_number"] = to_account_number

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        amount = d.pop("amount")

        from_account_id = d.pop("from_account_id")

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        def _parse_to_account_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        to_account_id = _parse_to_account_id(d.pop("to_account_id", UNSET))

        def _parse_to_account_number(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        to_account_number = _parse_to_account_number(d.pop("to_account_number", UNSET))

        transfer_in = cls(
            amount=amount,
            from_account_id=from_account_id,
            description=description,
            to_account_id=to_account_id,
            to_account_number=to_account_number,
        )

        return transfer_in
