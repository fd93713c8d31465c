from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.hold_out import HoldOut
    from ..models.posted_transaction_out import PostedTransactionOut


T = TypeVar("T", bound="HoldCaptureOut")


@_attrs_define
class HoldCaptureOut:
    """
    Attributes:
        hold (HoldOut):
        transaction (PostedTransactionOut): A transaction just posted, with the resulting balances of the accounts
            involved.
    """

    hold: HoldOut
    transaction: PostedTransactionOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        hold = self.hold.to_dict()

        transaction = self.transaction.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "hold": hold,
                "transaction": transaction,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.hold_out import HoldOut
        from ..models.posted_transaction_out import PostedTransactionOut

        d = dict(src_dict)
        hold = HoldOut.from_dict(d.pop("hold"))

        transaction = PostedTransactionOut.from_dict(d.pop("transaction"))

        hold_capture_out = cls(
            hold=hold,
            transaction=transaction,
        )

        hold_capture_out.additional_properties = d
        return hold_capture_out

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
