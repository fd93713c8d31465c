from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.audit_event_out_after_type_0 import AuditEventOutAfterType0
    from ..models.audit_event_out_before_type_0 import AuditEventOutBeforeType0


T = TypeVar("T", bound="AuditEventOut")


@_attrs_define
class AuditEventOut:
    """
    Attributes:
        action (str):
        actor_id (int | None):
        after (AuditEventOutAfterType0 | None):
        before (AuditEventOutBeforeType0 | None):
        correlation_id (None | str):
        hash_ (None | str): SHA-256 chaining this row to the one before; null until sealed
        id (int | None): Position in the hash chain; null until sealed
        ip (None | str):
        occurred_at (datetime.datetime):
        sealed (bool): Whether the row has its place in the hash chain yet
        seq (int): Write order, set when the row is written (not contiguous); pages follow it
        target_id (None | str):
        target_type (None | str):
        user_agent (None | str):
    """

    action: str
    actor_id: int | None
    after: AuditEventOutAfterType0 | None
    before: AuditEventOutBeforeType0 | None
    correlation_id: None | str
    hash_: None | str
    id: int | None
    ip: None | str
    occurred_at: datetime.datetime
    sealed: bool
    seq: int
    target_id: None | str
    target_type: None | str
    user_agent: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_event_out_after_type_0 import AuditEventOutAfterType0
        from ..models.audit_event_out_before_type_0 import AuditEventOutBeforeType0

        action = self.action

        actor_id: int | None
        actor_id = self.actor_id

        after: dict[str, Any] | None
        if isinstance(self.after, AuditEventOutAfterType0):
            after = self.after.to_dict()
        else:
            after = self.after

        before: dict[str, Any] | None
        if isinstance(self.before, AuditEventOutBeforeType0):
            before = self.before.to_dict()
        else:
            before = self.before

        correlation_id: None | str
        correlation_id = self.correlation_id

        hash_: None | str
        hash_ = self.hash_

        id: int | None
        id = self.id

        ip: None | str
        ip = self.ip

        occurred_at = self.occurred_at.isoformat()

        sealed = self.sealed

        seq = self.seq

        target_id: None | str
        target_id = self.target_id

        target_type: None | str
        target_type = self.target_type

        user_agent: None | str
        user_agent = self.user_agent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "action": action,
                "actor_id": actor_id,
                "after": after,
                "before": before,
                "correlation_id": correlation_id,
                "hash": hash_,
                "id": id,
                "ip": ip,
                "occurred_at": occurred_at,
                "sealed": sealed,
                "seq": seq,
                "target_id": target_id,
                "target_type": target_type,
                "user_agent": user_agent,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.audit_event_out_after_type_0 import AuditEventOutAfterType0
        from ..models.audit_event_out_before_type_0 import AuditEventOutBeforeType0

        d = dict(src_dict)
        action = d.pop("action")

        def _parse_actor_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        actor_id = _parse_actor_id(d.pop("actor_id"))

        def _parse_after(data: object) -> AuditEventOutAfterType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_0 = AuditEventOutAfterType0.from_dict(data)

                return after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditEventOutAfterType0 | None, data)

        after = _parse_after(d.pop("after"))

        def _parse_before(data: object) -> AuditEventOutBeforeType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_0 = AuditEventOutBeforeType0.from_dict(data)

                return before_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditEventOutBeforeType0 | None, data)

        before = _parse_before(d.pop("before"))

        def _parse_correlation_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        correlation_id = _parse_correlation_id(d.pop("correlation_id"))

        def _parse_hash_(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        hash_ = _parse_hash_(d.pop("hash"))

        def _parse_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        id = _parse_id(d.pop("id"))

        def _parse_ip(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        ip = _parse_ip(d.pop("ip"))

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        sealed = d.pop("sealed")

        seq = d.pop("seq")

        def _parse_target_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        target_id = _parse_target_id(d.pop("target_id"))

        def _parse_target_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        target_type = _parse_target_type(d.pop("target_type"))

        def _parse_user_agent(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        user_agent = _parse_user_agent(d.pop("user_agent"))

        audit_event_out = cls(
            action=action,
            actor_id=actor_id,
            after=after,
            before=before,
            correlation_id=correlation_id,
            hash_=hash_,
            id=id,
            ip=ip,
            occurred_at=occurred_at,
            sealed=sealed,
            seq=seq,
            target_id=target_id,
            target_type=target_type,
            user_agent=user_agent,
        )

        audit_event_out.additional_properties = d
        return audit_event_out

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
