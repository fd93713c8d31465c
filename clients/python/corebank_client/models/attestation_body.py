from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.attestation_body_currencies import AttestationBodyCurrencies
    from ..models.audit_head_out import AuditHeadOut
    from ..models.checkpoint_out import CheckpointOut
    from ..models.invariant_out import InvariantOut
    from ..models.journal_out import JournalOut


T = TypeVar("T", bound="AttestationBody")


@_attrs_define
class AttestationBody:
    """
    Attributes:
        audit (AuditHeadOut):
        checkpoint (CheckpointOut):
        currencies (AttestationBodyCurrencies):
        invariants (list[InvariantOut]):
        issued_at (datetime.datetime):
        journal (JournalOut):
        ok (bool): Every invariant holds
        previous_hash (None | str): SHA-256 (hex) of the newest stored attestation's signed document
        schema_version (None | str):
        version (Literal[1]):
    """

    audit: AuditHeadOut
    checkpoint: CheckpointOut
    currencies: AttestationBodyCurrencies
    invariants: list[InvariantOut]
    issued_at: datetime.datetime
    journal: JournalOut
    ok: bool
    previous_hash: None | str
    schema_version: None | str
    version: Literal[1]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audit = self.audit.to_dict()

        checkpoint = self.checkpoint.to_dict()

        currencies = self.currencies.to_dict()

        invariants = []
        for invariants_item_data in self.invariants:
            invariants_item = invariants_item_data.to_dict()
            invariants.append(invariants_item)

        issued_at = self.issued_at.isoformat()

        journal = self.journal.to_dict()

        ok = self.ok

        previous_hash: None | str
        previous_hash = self.previous_hash

        schema_version: None | str
        schema_version = self.schema_version

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audit": audit,
                "checkpoint": checkpoint,
                "currencies": currencies,
                "invariants": invariants,
                "issued_at": issued_at,
                "journal": journal,
                "ok": ok,
                "previous_hash": previous_hash,
                "schema_version": schema_version,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.attestation_body_currencies import AttestationBodyCurrencies
        from ..models.audit_head_out import AuditHeadOut
        from ..models.checkpoint_out import CheckpointOut
        from ..models.invariant_out import InvariantOut
        from ..models.journal_out import JournalOut

        d = dict(src_dict)
        audit = AuditHeadOut.from_dict(d.pop("audit"))

        checkpoint = CheckpointOut.from_dict(d.pop("checkpoint"))

        currencies = AttestationBodyCurrencies.from_dict(d.pop("currencies"))

        invariants = []
        _invariants = d.pop("invariants")
        for invariants_item_data in _invariants:
            invariants_item = InvariantOut.from_dict(invariants_item_data)

            invariants.append(invariants_item)

        issued_at = datetime.datetime.fromisoformat(d.pop("issued_at"))

        journal = JournalOut.from_dict(d.pop("journal"))

        ok = d.pop("ok")

        def _parse_previous_hash(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_hash = _parse_previous_hash(d.pop("previous_hash"))

        def _parse_schema_version(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        schema_version = _parse_schema_version(d.pop("schema_version"))

        version = cast(Literal[1], d.pop("version"))
        if version != 1:
            raise ValueError(f"version must match const 1, got '{version}'")

        attestation_body = cls(
            audit=audit,
            checkpoint=checkpoint,
            currencies=currencies,
            invariants=invariants,
            issued_at=issued_at,
            journal=journal,
            ok=ok,
            previous_hash=previous_hash,
            schema_version=schema_version,
            version=version,
        )

        attestation_body.additional_properties = d
        return attestation_body

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
