from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.detailed_health_status import DetailedHealthStatus

if TYPE_CHECKING:
    from ..models.detailed_health_dependencies import DetailedHealthDependencies


T = TypeVar("T", bound="DetailedHealth")


@_attrs_define
class DetailedHealth:
    """
    Attributes:
        dependencies (DetailedHealthDependencies):
        status (DetailedHealthStatus):
        version (str):
    """

    dependencies: DetailedHealthDependencies
    status: DetailedHealthStatus
    version: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        dependencies = self.dependencies.to_dict()

        status = self.status.value

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "dependencies": dependencies,
                "status": status,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.detailed_health_dependencies import DetailedHealthDependencies

        d = dict(src_dict)
        dependencies = DetailedHealthDependencies.from_dict(d.pop("dependencies"))

        status = DetailedHealthStatus(d.pop("status"))

        version = d.pop("version")

        detailed_health = cls(
            dependencies=dependencies,
            status=status,
            version=version,
        )

        detailed_health.additional_properties = d
        return detailed_health

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
