from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MfaStatusOut")


@_attrs_define
class MfaStatusOut:
    """
    Attributes:
        enabled (bool):
        recovery_codes_left (int):
        required (bool): This session may do nothing but enrol a second factor
    """

    enabled: bool
    recovery_codes_left: int
    required: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        recovery_codes_left = self.recovery_codes_left

        required = self.required

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
                "recovery_codes_left": recovery_codes_left,
                "required": required,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        enabled = d.pop("enabled")

        recovery_codes_left = d.pop("recovery_codes_left")

        required = d.pop("required")

        mfa_status_out = cls(
            enabled=enabled,
            recovery_codes_left=recovery_codes_left,
            required=required,
        )

        mfa_status_out.additional_properties = d
        return mfa_status_out

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
