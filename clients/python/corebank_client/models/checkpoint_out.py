from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.checkpoint_out_mode import CheckpointOutMode

T = TypeVar("T", bound="CheckpointOut")


@_attrs_define
class CheckpointOut:
    """
    Attributes:
        after_entry_id (int): Entries after this id were checked in this run
        checkpoint_entry_id (int): Where the checkpoint stands after this run (it moves only when every invariant holds,
            and only over entries older than ATTESTATION_SETTLE_SECONDS)
        entries_checked (int):
        mode (CheckpointOutMode):
        postings_checked (int):
        through_entry_id (int): The last entry id checked
    """

    after_entry_id: int
    checkpoint_entry_id: int
    entries_checked: int
    mode: CheckpointOutMode
    postings_checked: int
    through_entry_id: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        after_entry_id = self.after_entry_id

        checkpoint_entry_id = self.checkpoint_entry_id

        entries_checked = self.entries_checked

        mode = self.mode.value

        postings_checked = self.postings_checked

        through_entry_id = self.through_entry_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "after_entry_id": after_entry_id,
                "checkpoint_entry_id": checkpoint_entry_id,
                "entries_checked": entries_checked,
                "mode": mode,
                "postings_checked": postings_checked,
                "through_entry_id": through_entry_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        after_entry_id = d.pop("after_entry_id")

        checkpoint_entry_id = d.pop("checkpoint_entry_id")

        entries_checked = d.pop("entries_checked")

        mode = CheckpointOutMode(d.pop("mode"))

        postings_checked = d.pop("postings_checked")

        through_entry_id = d.pop("through_entry_id")

        checkpoint_out = cls(
            after_entry_id=after_entry_id,
            checkpoint_entry_id=checkpoint_entry_id,
            entries_checked=entries_checked,
            mode=mode,
            postings_checked=postings_checked,
            through_entry_id=through_entry_id,
        )

        checkpoint_out.additional_properties = d
        return checkpoint_out

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
