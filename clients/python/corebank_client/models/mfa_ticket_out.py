from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="MfaTicketOut")


@_attrs_define
class MfaTicketOut:
    """The password was right and the user has a second factor: send the ticket and a code
    to POST /api/v1/auth/login/mfa within `expires_in` seconds.

        Attributes:
            expires_in (int):
            mfa_ticket (str):
            mfa_required (bool | Unset):  Default: True.
    """

    expires_in: int
    mfa_ticket: str
    mfa_required: bool | Unset = True
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        expires_in = self.expires_in

        mfa_ticket = self.mfa_ticket

        mfa_required = self.mfa_required

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "expires_in": expires_in,
                "mfa_ticket": mfa_ticket,
            }
        )
        if mfa_required is not UNSET:
            field_dict["mfa_required"] = mfa_required

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        expires_in = d.pop("expires_in")

        mfa_ticket = d.pop("mfa_ticket")

        mfa_required = d.pop("mfa_required", UNSET)

        mfa_ticket_out = cls(
            expires_in=expires_in,
            mfa_ticket=mfa_ticket,
            mfa_required=mfa_required,
        )

        mfa_ticket_out.additional_properties = d
        return mfa_ticket_out

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
