from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="JournalOut")


@_attrs_define
class JournalOut:
    """
    Attributes:
        entries (int):
        last_entry_id (int | None):
        postings (int):
    """

    entries: int
    last_entry_id: int | None
    postings: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        entries = self.entries

        last_entry_id: int | None
        last_entry_id = self.last_entry_id

        postings = self.postings

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "entries": entries,
                "last_entry_id": last_entry_id,
                "postings": postings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        entries = d.pop("entries")

        def _parse_last_entry_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_entry_id = _parse_last_entry_id(d.pop("last_entry_id"))

        postings = d.pop("postings")

        journal_out = cls(
            entries=entries,
            last_entry_id=last_entry_id,
            postings=postings,
        )

        journal_out.additional_properties = d
        return journal_out

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
