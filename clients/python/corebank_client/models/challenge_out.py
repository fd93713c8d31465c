from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.payment_set_summary import PaymentSetSummary


T = TypeVar("T", bound="ChallengeOut")


@_attrs_define
class ChallengeOut:
    """A challenge and exactly what it covers.

    Attributes:
        amount (None | str): Decimal string in `currency` (transfers)
        currency (None | str):
        expires_at (datetime.datetime):
        id (int):
        payee_account_id (int | None):
        purpose (str): "transfer", "trusted_payee" or "payment_set" (a multi-leg transaction)
        source_account_id (int | None):
        status (str): pending, completed or consumed
        legs_digest (None | str | Unset): A set of payments: SHA-256 (hex) of its legs, in order; the code covers
            exactly these legs
        legs_summary (None | PaymentSetSummary | Unset): A set of payments: its leg count, totals and payees
    """

    amount: None | str
    currency: None | str
    expires_at: datetime.datetime
    id: int
    payee_account_id: int | None
    purpose: str
    source_account_id: int | None
    status: str
    legs_digest: None | str | Unset = UNSET
    legs_summary: None | PaymentSetSummary | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.payment_set_summary import PaymentSetSummary

        amount: None | str
        amount = self.amount

        currency: None | str
        currency = self.currency

        expires_at = self.expires_at.isoformat()

        id = self.id

        payee_account_id: int | None
        payee_account_id = self.payee_account_id

        purpose = self.purpose

        source_account_id: int | None
        source_account_id = self.source_account_id

        status = self.status

        legs_digest: None | str | Unset
        if isinstance(self.legs_digest, Unset):
            legs_digest = UNSET
        else:
            legs_digest = self.legs_digest

        legs_summary: dict[str, Any] | None | Unset
        if isinstance(self.legs_summary, Unset):
            legs_summary = UNSET
        elif isinstance(self.legs_summary, PaymentSetSummary):
            legs_summary = self.legs_summary.to_dict()
        else:
            legs_summary = self.legs_summary

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "expires_at": expires_at,
                "id": id,
                "payee_account_id": payee_account_id,
                "purpose": purpose,
                "source_account_id": source_account_id,
                "status": status,
            }
        )
        if legs_digest is not UNSET:
            field_dict["legs_digest"] = legs_digest
        if legs_summary is not UNSET:
            field_dict["legs_summary"] = legs_summary

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.payment_set_summary import PaymentSetSummary

        d = dict(src_dict)

        def _parse_amount(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        amount = _parse_amount(d.pop("amount"))

        def _parse_currency(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        currency = _parse_currency(d.pop("currency"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        id = d.pop("id")

        def _parse_payee_account_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        payee_account_id = _parse_payee_account_id(d.pop("payee_account_id"))

        purpose = d.pop("purpose")

        def _parse_source_account_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        source_account_id = _parse_source_account_id(d.pop("source_account_id"))

        status = d.pop("status")

        def _parse_legs_digest(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        legs_digest = _parse_legs_digest(d.pop("legs_digest", UNSET))

        def _parse_legs_summary(data: object) -> None | PaymentSetSummary | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                legs_summary_type_0 = PaymentSetSummary.from_dict(data)

                return legs_summary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PaymentSetSummary | Unset, data)

        legs_summary = _parse_legs_summary(d.pop("legs_summary", UNSET))

        challenge_out = cls(
            amount=amount,
            currency=currency,
            expires_at=expires_at,
            id=id,
            payee_account_id=payee_account_id,
            purpose=purpose,
            source_account_id=source_account_id,
            status=status,
            legs_digest=legs_digest,
            legs_summary=legs_summary,
        )

        challenge_out.additional_properties = d
        return challenge_out

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
