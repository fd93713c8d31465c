from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.leg_in import LegIn
    from ..models.transaction_in_metadata import TransactionInMetadata


T = TypeVar("T", bound="TransactionIn")


@_attrs_define
class TransactionIn:
    """Several legs posted as one journal entry: all of them, or none.

    Attributes:
        legs (list[LegIn]): 2 to 64 legs; each leg's two accounts hold one currency, and the legs may be in several
            currencies (each balances on its own); refusals name a leg by its number, counted from 1
        description (None | str | Unset):
        metadata (TransactionInMetadata | Unset): Up to 16 keys (letters, digits, `_.:-`, at most 64 characters) with
            string values of at most 256 characters; at most 2048 bytes as JSON
    """

    legs: list[LegIn]
    description: None | str | Unset = UNSET
    metadata: TransactionInMetadata | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        legs = []
        for legs_item_data in self.legs:
            legs_item = legs_item_data.to_dict()
            legs.append(legs_item)

        description: None | str | Unset
        if isinstance(self.description, Unset):
            description = UNSET
        else:
            description = self.description

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "legs": legs,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.leg_in import LegIn
        from ..models.transaction_in_metadata import TransactionInMetadata

        d = dict(src_dict)
        legs = []
        _legs = d.pop("legs")
        for legs_item_data in _legs:
            legs_item = LegIn.from_dict(legs_item_data)

            legs.append(legs_item)

        def _parse_description(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        description = _parse_description(d.pop("description", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: TransactionInMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = TransactionInMetadata.from_dict(_metadata)

        transaction_in = cls(
            legs=legs,
            description=description,
            metadata=metadata,
        )

        return transaction_in
