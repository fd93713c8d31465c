from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.approval_operation import ApprovalOperation
from ..models.approval_status import ApprovalStatus

if TYPE_CHECKING:
    from ..models.approval_out_request import ApprovalOutRequest
    from ..models.approval_out_result_type_0 import ApprovalOutResultType0


T = TypeVar("T", bound="ApprovalOut")


@_attrs_define
class ApprovalOut:
    """
    Attributes:
        amount (None | str): The money the operation moves, if it moves money.
        created_at (datetime.datetime):
        currency (None | str):
        decided_at (datetime.datetime | None):
        decided_by (int | None):
        expires_at (datetime.datetime):
        hold_ids (list[int]): The holds reserving the money while it waits.
        id (int):
        operation (ApprovalOperation):
        reason (None | str): The checker's reason (a rejection always has one).
        request (ApprovalOutRequest): What the maker asked for, as it will be done.
        requested_by (int): The maker: the user whose request waits.
        result (ApprovalOutResultType0 | None): What the approval did, e.g. `{"transaction_id": 42}`.
        status (ApprovalStatus):
        subject_id (int):
        subject_type (str): What the operation acts on: "account", "customer" or "loan".
    """

    amount: None | str
    created_at: datetime.datetime
    currency: None | str
    decided_at: datetime.datetime | None
    decided_by: int | None
    expires_at: datetime.datetime
    hold_ids: list[int]
    id: int
    operation: ApprovalOperation
    reason: None | str
    request: ApprovalOutRequest
    requested_by: int
    result: ApprovalOutResultType0 | None
    status: ApprovalStatus
    subject_id: int
    subject_type: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.approval_out_result_type_0 import ApprovalOutResultType0

        amount: None | str
        amount = self.amount

        created_at = self.created_at.isoformat()

        currency: None | str
        currency = self.currency

        decided_at: None | str
        if isinstance(self.decided_at, datetime.datetime):
            decided_at = self.decided_at.isoformat()
        else:
            decided_at = self.decided_at

        decided_by: int | None
        decided_by = self.decided_by

        expires_at = self.expires_at.isoformat()

        hold_ids = self.hold_ids

        id = self.id

        operation = self.operation.value

        reason: None | str
        reason = self.reason

        request = self.request.to_dict()

        requested_by = self.requested_by

        result: dict[str, Any] | None
        if isinstance(self.result, ApprovalOutResultType0):
            result = self.result.to_dict()
        else:
            result = self.result

        status = self.status.value

        subject_id = self.subject_id

        subject_type = self.subject_type

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "created_at": created_at,
                "currency": currency,
                "decided_at": decided_at,
                "decided_by": decided_by,
                "expires_at": expires_at,
                "hold_ids": hold_ids,
                "id": id,
                "operation": operation,
                "reason": reason,
                "request": request,
                "requested_by": requested_by,
                "result": result,
                "status": status,
                "subject_id": subject_id,
                "subject_type": subject_type,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.approval_out_request import ApprovalOutRequest
        from ..models.approval_out_result_type_0 import ApprovalOutResultType0

        d = dict(src_dict)

        def _parse_amount(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        amount = _parse_amount(d.pop("amount"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_currency(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        currency = _parse_currency(d.pop("currency"))

        def _parse_decided_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                decided_at_type_0 = datetime.datetime.fromisoformat(data)

                return decided_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        decided_at = _parse_decided_at(d.pop("decided_at"))

        def _parse_decided_by(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        decided_by = _parse_decided_by(d.pop("decided_by"))

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        hold_ids = cast(list[int], d.pop("hold_ids"))

        id = d.pop("id")

        operation = ApprovalOperation(d.pop("operation"))

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        request = ApprovalOutRequest.from_dict(d.pop("request"))

        requested_by = d.pop("requested_by")

        def _parse_result(data: object) -> ApprovalOutResultType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = ApprovalOutResultType0.from_dict(data)

                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ApprovalOutResultType0 | None, data)

        result = _parse_result(d.pop("result"))

        status = ApprovalStatus(d.pop("status"))

        subject_id = d.pop("subject_id")

        subject_type = d.pop("subject_type")

        approval_out = cls(
            amount=amount,
            created_at=created_at,
            currency=currency,
            decided_at=decided_at,
            decided_by=decided_by,
            expires_at=expires_at,
            hold_ids=hold_ids,
            id=id,
            operation=operation,
            reason=reason,
            request=request,
            requested_by=requested_by,
            result=result,
            status=status,
            subject_id=subject_id,
            subject_type=subject_type,
        )

        approval_out.additional_properties = d
        return approval_out

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
