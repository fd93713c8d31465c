from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ServiceInfo")


@_attrs_define
class ServiceInfo:
    """
    Attributes:
        docs (str):
        health (str):
        name (str):
        openapi (str):
        redoc (str):
        version (str):
    """

    docs: str
    health: str
    name: str
    openapi: str
    redoc: str
    version: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        docs = self.docs

        health = self.health

        name = self.name

        openapi = self.openapi

        redoc = self.redoc

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "docs": docs,
                "health": health,
                "name": name,
                "openapi": openapi,
                "redoc": redoc,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        docs = d.pop("docs")

        health = d.pop("health")

        name = d.pop("name")

        openapi = d.pop("openapi")

        redoc = d.pop("redoc")

        version = d.pop("version")

        service_info = cls(
            docs=docs,
            health=health,
            name=name,
            openapi=openapi,
            redoc=redoc,
            version=version,
        )

        service_info.additional_properties = d
        return service_info

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
