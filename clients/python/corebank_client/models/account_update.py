from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.settable_status import SettableStatus
from ..types import UNSET, Unset

T = TypeVar("T", bound="AccountUpdate")


@_attrs_define
class AccountUpdate:
    """Change an account: customers the nickname; staff also status and overdraft limit.

    Attributes:
        nickname (None | str | Unset):
        overdraft_limit (None | str | Unset): Non-negative decimal string in the account's currency
        status (None | SettableStatus | Unset):
    """

    nickname: None | str | Unset = UNSET
    overdraft_limit: None | str | Unset = UNSET
    status: None | SettableStatus | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        nickname: None | str | Unset
        if isinstance(self.nickname, Unset):
            nickname = UNSET
        else:
            nickname = self.nickname

        overdraft_limit: None | str | Unset
        if isinstance(self.overdraft_limit, Unset):
            overdraft_limit = UNSET
        else:
            overdraft_limit = self.overdraft_limit

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, SettableStatus):
            status = self.status.value
        else:
            status = self.status

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if nickname is not UNSET:
            field_dict["nickname"] = nickname
        if overdraft_limit is not UNSET:
            field_dict["overdraft_limit"] = overdraft_limit
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_nickname(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        nickname = _parse_nickname(d.pop("nickname", UNSET))

        def _parse_overdraft_limit(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        overdraft_limit = _parse_overdraft_limit(d.pop("overdraft_limit", UNSET))

        def _parse_status(data: object) -> None | SettableStatus | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = SettableStatus(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SettableStatus | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        account_update = cls(
            nickname=nickname,
            overdraft_limit=overdraft_limit,
            status=status,
        )

        return account_update
