from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.stored_attestation_out_document import StoredAttestationOutDocument


T = TypeVar("T", bound="StoredAttestationOut")


@_attrs_define
class StoredAttestationOut:
    """
    Attributes:
        document (StoredAttestationOutDocument): The signed document, as stored
        hash_ (str): SHA-256 (hex) of the canonical bytes of `document`
        id (int):
        issued_at (datetime.datetime):
        previous_hash (None | str):
    """

    document: StoredAttestationOutDocument
    hash_: str
    id: int
    issued_at: datetime.datetime
    previous_hash: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        document = self.document.to_dict()

        hash_ = self.hash_

        id = self.id

        issued_at = self.issued_at.isoformat()

        previous_hash: None | str
        previous_hash = self.previous_hash

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "document": document,
                "hash": hash_,
                "id": id,
                "issued_at": issued_at,
                "previous_hash": previous_hash,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.stored_attestation_out_document import StoredAttestationOutDocument

        d = dict(src_dict)
        document = StoredAttestationOutDocument.from_dict(d.pop("document"))

        hash_ = d.pop("hash")

        id = d.pop("id")

        issued_at = datetime.datetime.fromisoformat(d.pop("issued_at"))

        def _parse_previous_hash(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_hash = _parse_previous_hash(d.pop("previous_hash"))

        stored_attestation_out = cls(
            document=document,
            hash_=hash_,
            id=id,
            issued_at=issued_at,
            previous_hash=previous_hash,
        )

        stored_attestation_out.additional_properties = d
        return stored_attestation_out

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
