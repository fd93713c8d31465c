from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="RegisterRequest")


@_attrs_define
class RegisterRequest:
    """
    Attributes:
        email (str):
        full_name (str):
        password (str):
        username (None | str | Unset):
    """

    email: str
    full_name: str
    password: str
    username: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        full_name = self.full_name

        password = self.password

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "full_name": full_name,
                "password": password,
            }
        )
        if username is not UNSET:
            field_dict["username"] = username

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        email = d.pop("email")

        full_name = d.pop("full_name")

        password = d.pop("password")

        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))

        register_request = cls(
            email=email,
            full_name=full_name,
            password=password,
            username=username,
        )

        return register_request
