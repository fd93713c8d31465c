from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PinSet")


@_attrs_define
class PinSet:
    """
    Attributes:
        current_password (str):
        pin (str):
    """

    current_password: str
    pin: str

    def to_dict(self) -> dict[str, Any]:
        current_password = self.current_password

        pin = self.pin

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "current_password": current_password,
                "pin": pin,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        current_password = d.pop("current_password")

        pin = d.pop("pin")

        pin_set = cls(
            current_password=current_password,
            pin=pin,
        )

        return pin_set
