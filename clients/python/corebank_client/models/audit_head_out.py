from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AuditHeadOut")


@_attrs_define
class AuditHeadOut:
    """
    Attributes:
        head_hash (str):
        pending (int): Audit rows written but not sealed into the chain yet
        sealed_length (int):
    """

    head_hash: str
    pending: int
    sealed_length: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        head_hash = self.head_hash

        pending = self.pending

        sealed_length = self.sealed_length

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "head_hash": head_hash,
                "pending": pending,
                "sealed_length": sealed_length,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        head_hash = d.pop("head_hash")

        pending = d.pop("pending")

        sealed_length = d.pop("sealed_length")

        audit_head_out = cls(
            head_hash=head_hash,
            pending=pending,
            sealed_length=sealed_length,
        )

        audit_head_out.additional_properties = d
        return audit_head_out

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
