from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.statement_line import StatementLine


T = TypeVar("T", bound="StatementOut")


@_attrs_define
class StatementOut:
    """
    Attributes:
        account_id (int):
        closing_balance (str):
        currency (str):
        lines (list[StatementLine]):
        number (str):
        opening_balance (str):
        period_end (datetime.datetime): Exclusive
        period_start (datetime.datetime): Inclusive
        total_credits (str):
        total_debits (str):
    """

    account_id: int
    closing_balance: str
    currency: str
    lines: list[StatementLine]
    number: str
    opening_balance: str
    period_end: datetime.datetime
    period_start: datetime.datetime
    total_credits: str
    total_debits: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        account_id = self.account_id

        closing_balance = self.closing_balance

        currency = self.currency

        lines = []
        for lines_item_data in self.lines:
            lines_item = lines_item_data.to_dict()
            lines.append(lines_item)

        number = self.number

        opening_balance = self.opening_balance

        period_end = self.period_end.isoformat()

        period_start = self.period_start.isoformat()

        total_credits = self.total_credits

        total_debits = self.total_debits

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "account_id": account_id,
                "closing_balance": closing_balance,
                "currency": currency,
                "lines": lines,
                "number": number,
                "opening_balance": opening_balance,
                "period_end": period_end,
                "period_start": period_start,
                "total_credits": total_credits,
                "total_debits": total_debits,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.statement_line import StatementLine

        d = dict(src_dict)
        account_id = d.pop("account_id")

        closing_balance = d.pop("closing_balance")

        currency = d.pop("currency")

        lines = []
        _lines = d.pop("lines")
        for lines_item_data in _lines:
            lines_item = StatementLine.from_dict(lines_item_data)

            lines.append(lines_item)

        number = d.pop("number")

        opening_balance = d.pop("opening_balance")

        period_end = datetime.datetime.fromisoformat(d.pop("period_end"))

        period_start = datetime.datetime.fromisoformat(d.pop("period_start"))

        total_credits = d.pop("total_credits")

        total_debits = d.pop("total_debits")

        statement_out = cls(
            account_id=account_id,
            closing_balance=closing_balance,
            currency=currency,
            lines=lines,
            number=number,
            opening_balance=opening_balance,
            period_end=period_end,
            period_start=period_start,
            total_credits=total_credits,
            total_debits=total_debits,
        )

        statement_out.additional_properties = d
        return statement_out

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
