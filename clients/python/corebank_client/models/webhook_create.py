from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookCreate")


@_attrs_define
class WebhookCreate:
    """
    Attributes:
        event_types (list[str]): Event types to receive, or ["*"] for every type.
        url (str): http(s) URL on a public address.
        active (bool | Unset):  Default: True.
        description (None | str | Unset):
    """

    event_types: list[str]
    url: str
    active: bool | Unset = True
    description: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        event_types = self.event_types

        url = self.url

        active = self.active

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "event_types": event_types,
                "url": url,
            }
        )
        if active is not UNSET:
            field_dict["active"] = active
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        event_types = cast(list[str], d.pop("event_types"))

        url = d.pop("url")

        active = d.pop("active", UNSET)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        webhook_create = cls(
            event_types=event_types,
            url=url,
            active=active,
            description=description,
        )

        return webhook_create
