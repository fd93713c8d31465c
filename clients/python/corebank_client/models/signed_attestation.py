from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.attestation_body import AttestationBody


T = TypeVar("T", bound="SignedAttestation")


@_attrs_define
class SignedAttestation:
    """
    Attributes:
        algorithm (Literal['EdDSA']):
        attestation (AttestationBody):
        key_id (str):
        signature (str): Ed25519 over the canonical bytes of `attestation`, base64url, no padding
    """

    algorithm: Literal["EdDSA"]
    attestation: AttestationBody
    key_id: str
    signature: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        algorithm = self.algorithm

        attestation = self.attestation.to_dict()

        key_id = self.key_id

        signature = self.signature

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "algorithm": algorithm,
                "attestation": attestation,
                "key_id": key_id,
                "signature": signature,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attestation_body import AttestationBody

        d = dict(src_dict)
        algorithm = cast(Literal["EdDSA"], d.pop("algorithm"))
        if algorithm != "EdDSA":
            raise ValueError(f"algorithm must match const 'EdDSA', got '{algorithm}'")

        attestation = AttestationBody.from_dict(d.pop("attestation"))

        key_id = d.pop("key_id")

        signature = d.pop("signature")

        signed_attestation = cls(
            algorithm=algorithm,
            attestation=attestation,
            key_id=key_id,
            signature=signature,
        )

        signed_attestation.additional_properties = d
        return signed_attestation

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
