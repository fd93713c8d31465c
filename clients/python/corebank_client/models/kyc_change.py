from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.kyc_status import KycStatus

T = TypeVar("T", bound="KycChange")


@_attrs_define
class KycChange:
    """
    Attributes:
        reason (str): Why; kept in the audit trail
        status (KycStatus):
    """

    reason: str
    status: KycStatus

    def to_dict(self) -> dict[str, Any]:
        reason = self.reason

        status = self.status.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "reason": reason,
                "status": status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        reason = d.pop("reason")

        status = KycStatus(d.pop("status"))

        kyc_change = cls(
            reason=reason,
            status=status,
        )

        return kyc_change
