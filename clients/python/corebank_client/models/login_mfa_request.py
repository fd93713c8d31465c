from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="LoginMfaRequest")


@_attrs_define
class LoginMfaRequest:
    """
    Attributes:
        mfa_ticket (str):
        code (None | str | Unset):
        recovery_code (None | str | Unset):
    """

    mfa_ticket: str
    code: None | str | Unset = UNSET
    recovery_code: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        mfa_ticket = self.mfa_ticket

        code: None | str | Unset
        if isinstance(self.code, Unset):
            code = UNSET
        else:
            code = self.code

        recovery_code: None | str | Unset
        if isinstance(self.recovery_code, Unset):
            recovery_code = UNSET
        else:
            recovery_code = self.recovery_code

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "mfa_ticket": mfa_ticket,
            }
        )
        if code is not UNSET:
            field_dict["code"] = code
        if recovery_code is not UNSET:
            field_dict["recovery_code"] = recovery_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        mfa_ticket = d.pop("mfa_ticket")

        def _parse_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        code = _parse_code(d.pop("code", UNSET))

        def _parse_recovery_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        recovery_code = _parse_recovery_code(d.pop("recovery_code", UNSET))

        login_mfa_request = cls(
            mfa_ticket=mfa_ticket,
            code=code,
            recovery_code=recovery_code,
        )

        return login_mfa_request
