from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="InvariantOut")


@_attrs_define
class InvariantOut:
    """
    Attributes:
        examples (list[str]): The first few violations, one line each
        name (str):
        ok (bool):
        problems (int): How many violations were found
    """

    examples: list[str]
    name: str
    ok: bool
    problems: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        examples = self.examples

        name = self.name

        ok = self.ok

        problems = self.problems

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "examples": examples,
                "name": name,
                "ok": ok,
                "problems": problems,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        examples = cast(list[str], d.pop("examples"))

        name = d.pop("name")

        ok = d.pop("ok")

        problems = d.pop("problems")

        invariant_out = cls(
            examples=examples,
            name=name,
            ok=ok,
            problems=problems,
        )

        invariant_out.additional_properties = d
        return invariant_out

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
