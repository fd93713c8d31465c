from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="AuthorizationOut")


@_attrs_define
class AuthorizationOut:
    """Send `authorization_code` in the X-SCA-Authorization header of the retried request,
    unchanged, before `expires_at`; it works once, for exactly the challenge's terms.

        Attributes:
            authorization_code (str):
            expires_at (datetime.datetime):
            header (str | Unset):  Default: 'X-SCA-Authorization'.
    """

    authorization_code: str
    expires_at: datetime.datetime
    header: str | Unset = "X-SCA-Authorization"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        authorization_code = self.authorization_code

        expires_at = self.expires_at.isoformat()

        header = self.header

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "authorization_code": authorization_code,
                "expires_at": expires_at,
            }
        )
        if header is not UNSET:
            field_dict["header"] = header

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        authorization_code = d.pop("authorization_code")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        header = d.pop("header", UNSET)

        authorization_out = cls(
            authorization_code=authorization_code,
            expires_at=expires_at,
            header=header,
        )

        authorization_out.additional_properties = d
        return authorization_out

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
