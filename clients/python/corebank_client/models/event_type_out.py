from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.event_type_out_data_schema import EventTypeOutDataSchema


T = TypeVar("T", bound="EventTypeOut")


@_attrs_define
class EventTypeOut:
    """
    Attributes:
        data_schema (EventTypeOutDataSchema): JSON schema of the envelope's `data`.
        summary (str):
        type_ (str):
        version (int):
    """

    data_schema: EventTypeOutDataSchema
    summary: str
    type_: str
    version: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data_schema = self.data_schema.to_dict()

        summary = self.summary

        type_ = self.type_

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "data_schema": data_schema,
                "summary": summary,
                "type": type_,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.event_type_out_data_schema import EventTypeOutDataSchema

        d = dict(src_dict)
        data_schema = EventTypeOutDataSchema.from_dict(d.pop("data_schema"))

        summary = d.pop("summary")

        type_ = d.pop("type")

        version = d.pop("version")

        event_type_out = cls(
            data_schema=data_schema,
            summary=summary,
            type_=type_,
            version=version,
        )

        event_type_out.additional_properties = d
        return event_type_out

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
