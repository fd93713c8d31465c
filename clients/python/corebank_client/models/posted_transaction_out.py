from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.account_balance import AccountBalance
    from ..models.currency_total import CurrencyTotal
    from ..models.leg_out import LegOut
    from ..models.posted_transaction_out_metadata_type_0 import PostedTransactionOutMetadataType0
    from ..models.posting_out import PostingOut


T = TypeVar("T", bound="PostedTransactionOut")


@_attrs_define
class PostedTransactionOut:
    """A transaction just posted, with the resulting balances of the accounts involved.

    Attributes:
        amount (str): The amount moved; of a multi-leg transaction in several currencies, the sum of the legs in
            `currency` (see `totals`)
        balances (list[AccountBalance]):
        correlation_id (None | str):
        created_at (datetime.datetime):
        currency (str): The transaction's currency; of a multi-leg transaction, its first leg's
        description (None | str):
        id (int):
        postings (list[PostingOut]):
        status (str): posted, or reversed once a reversal exists
        type_ (str):
        legs (list[LegOut] | None | Unset): A multi-leg transaction's legs (and its reversal's, mirrored); a customer
            sees only the legs that touch their accounts
        metadata (None | PostedTransactionOutMetadataType0 | Unset): A multi-leg transaction's metadata (shown to staff
            and to its creator)
        reversed_by_transaction_id (int | None | Unset):
        reverses_transaction_id (int | None | Unset):
        totals (list[CurrencyTotal] | None | Unset): A multi-leg transaction's (and its reversal's) sum of legs per
            currency, in the order the currencies first come in the legs; `amount` and `currency` are the first of them
    """

    amount: str
    balances: list[AccountBalance]
    correlation_id: None | str
    created_at: datetime.datetime
    currency: str
    description: None | str
    id: int
    postings: list[PostingOut]
    status: str
    type_: str
    legs: list[LegOut] | None | Unset = UNSET
    metadata: None | PostedTransactionOutMetadataType0 | Unset = UNSET
    reversed_by_transaction_id: int | None | Unset = UNSET
    reverses_transaction_id: int | None | Unset = UNSET
    totals: list[CurrencyTotal] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.posted_transaction_out_metadata_type_0 import (
            PostedTransactionOutMetadataType0,
        )

        amount = self.amount

        balances = []
        for balances_item_data in self.balances:
            balances_item = balances_item_data.to_dict()
            balances.append(balances_item)

        correlation_id: None | str
        correlation_id = self.correlation_id

        created_at = self.created_at.isoformat()

        currency = self.currency

        description: None | str
        description = self.description

        id = self.id

        postings = []
        for postings_item_data in self.postings:
            postings_item = postings_item_data.to_dict()
            postings.append(postings_item)

        status = self.status

        type_ = self.type_

        legs: list[dict[str, Any]] | None | Unset
        if isinstance(self.legs, Unset):
            legs = UNSET
        elif isinstance(self.legs, list):
            legs = []
            for legs_type_0_item_data in self.legs:
                legs_type_0_item = legs_type_0_item_data.to_dict()
                legs.append(legs_type_0_item)

        else:
            legs = self.legs

        metadata: dict[str, Any] | None | Unset
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, PostedTransactionOutMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        reversed_by_transaction_id: int | None | Unset
        if isinstance(self.reversed_by_transaction_id, Unset):
            reversed_by_transaction_id = UNSET
        else:
            reversed_by_transaction_id = self.reversed_by_transaction_id

        reverses_transaction_id: int | None | Unset
        if isinstance(self.reverses_transaction_id, Unset):
            reverses_transaction_id = UNSET
        else:
            reverses_transaction_id = self.reverses_transaction_id

        totals: list[dict[str, Any]] | None | Unset
        if isinstance(self.totals, Unset):
            totals = UNSET
        elif isinstance(self.totals, list):
            totals = []
            for totals_type_0_item_data in self.totals:
                totals_type_0_item = totals_type_0_item_data.to_dict()
                totals.append(totals_type_0_item)

        else:
            totals = self.totals

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "balances": balances,
                "correlation_id": correlation_id,
                "created_at": created_at,
                "currency": currency,
                "description": description,
                "id": id,
                "postings": postings,
                "status": status,
                "type": type_,
            }
        )
        if legs is not UNSET:
            field_dict["legs"] = legs
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if reversed_by_transaction_id is not UNSET:
            field_dict["reversed_by_transaction_id"] = reversed_by_transaction_id
        if reverses_transaction_id is not UNSET:
            field_dict["reverses_transaction_id"] = reverses_transaction_id
        if totals is not UNSET:
            field_dict["totals"] = totals

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.account_balance import AccountBalance
        from ..models.currency_total import CurrencyTotal
        from ..models.leg_out import LegOut
        from ..models.posted_transaction_out_metadata_type_0 import (
            PostedTransactionOutMetadataType0,
        )
        from ..models.posting_out import PostingOut

        d = dict(src_dict)
        amount = d.pop("amount")

        balances = []
        _balances = d.pop("balances")
        for balances_item_data in _balances:
            balances_item = AccountBalance.from_dict(balances_item_data)

            balances.append(balances_item)

        def _parse_correlation_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        correlation_id = _parse_correlation_id(d.pop("correlation_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        currency = d.pop("currency")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        id = d.pop("id")

        postings = []
        _postings = d.pop("postings")
        for postings_item_data in _postings:
            postings_item = PostingOut.from_dict(postings_item_data)

            postings.append(postings_item)

        status = d.pop("status")

        type_ = d.pop("type")

        def _parse_legs(data: object) -> list[LegOut] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                legs_type_0 = []
                _legs_type_0 = data
                for legs_type_0_item_data in _legs_type_0:
                    legs_type_0_item = LegOut.from_dict(legs_type_0_item_data)

                    legs_type_0.append(legs_type_0_item)

                return legs_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[LegOut] | None | Unset, data)

        legs = _parse_legs(d.pop("legs", UNSET))

        def _parse_metadata(data: object) -> None | PostedTransactionOutMetadataType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = PostedTransactionOutMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PostedTransactionOutMetadataType0 | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_reversed_by_transaction_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        reversed_by_transaction_id = _parse_reversed_by_transaction_id(
            d.pop("reversed_by_transaction_id", UNSET)
        )

        def _parse_reverses_transaction_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        reverses_transaction_id = _parse_reverses_transaction_id(
            d.pop("reverses_transaction_id", UNSET)
        )

        def _parse_totals(data: object) -> list[CurrencyTotal] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                totals_type_0 = []
                _totals_type_0 = data
                for totals_type_0_item_data in _totals_type_0:
                    totals_type_0_item = CurrencyTotal.from_dict(totals_type_0_item_data)

                    totals_type_0.append(totals_type_0_item)

                return totals_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[CurrencyTotal] | None | Unset, data)

        totals = _parse_totals(d.pop("totals", UNSET))

        posted_transaction_out = cls(
            amount=amount,
            balances=balances,
            correlation_id=correlation_id,
            created_at=created_at,
            currency=currency,
            description=description,
            id=id,
            postings=postings,
            status=status,
            type_=type_,
            legs=legs,
            metadata=metadata,
            reversed_by_transaction_id=reversed_by_transaction_id,
            reverses_transaction_id=reverses_transaction_id,
            totals=totals,
        )

        posted_transaction_out.additional_properties = d
        return posted_transaction_out

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
