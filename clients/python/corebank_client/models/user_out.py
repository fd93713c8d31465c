from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.role import Role
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserOut")


@_attrs_define
class UserOut:
    """A user as clients see it: never a hash, a counter or a PIN.

    Attributes:
        created_at (datetime.datetime):
        email (str):
        full_name (str):
        has_pin (bool):
        id (int):
        is_active (bool):
        role (Role):
        username (None | str):
        deleted_at (datetime.datetime | None | Unset):
    """

    created_at: datetime.datetime
    email: str
    full_name: str
    has_pin: bool
    id: int
    is_active: bool
    role: Role
    username: None | str
    deleted_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        email = self.email

        full_name = self.full_name

        has_pin = self.has_pin

        id = self.id

        is_active = self.is_active

        role = self.role.value

        username: None | str
        username = self.username

        deleted_at: None | str | Unset
        if isinstance(self.deleted_at, Unset):
            deleted_at = UNSET
        elif isinstance(self.deleted_at, datetime.datetime):
            deleted_at = self.deleted_at.isoformat()
        else:
            deleted_at = self.deleted_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "created_at": created_at,
                "email": email,
                "full_name": full_name,
                "has_pin": has_pin,
                "id": id,
                "is_active": is_active,
                "role": role,
                "username": username,
            }
        )
        if deleted_at is not UNSET:
            field_dict["deleted_at"] = deleted_at

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        email = d.pop("email")

        full_name = d.pop("full_name")

        has_pin = d.pop("has_pin")

        id = d.pop("id")

        is_active = d.pop("is_active")

        role = Role(d.pop("role"))

        def _parse_username(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        username = _parse_username(d.pop("username"))

        def _parse_deleted_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                deleted_at_type_0 = datetime.datetime.fromisoformat(data)

                return deleted_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        deleted_at = _parse_deleted_at(d.pop("deleted_at", UNSET))

        user_out = cls(
            created_at=created_at,
            email=email,
            full_name=full_name,
            has_pin=has_pin,
            id=id,
            is_active=is_active,
            role=role,
            username=username,
            deleted_at=deleted_at,
        )

        user_out.additional_properties = d
        return user_out

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
