from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="TrustedPayeeCreate")


@_attrs_define
class TrustedPayeeCreate:
    """
    Attributes:
        account_id (int):
    """

    account_id: int

    def to_dict(self) -> dict[str, Any]:
        account_id = self.account_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "account_id": account_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        account_id = d.pop("account_id")

        trusted_payee_create = cls(
            account_id=account_id,
        )

        return trusted_payee_create
