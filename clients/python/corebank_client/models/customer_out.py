from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.customer_status import CustomerStatus
from ..models.kyc_status import KycStatus

if TYPE_CHECKING:
    from ..models.address_out import AddressOut


T = TypeVar("T", bound="CustomerOut")


@_attrs_define
class CustomerOut:
    """
    Attributes:
        address (AddressOut | None):
        created_at (datetime.datetime):
        credit_limit (str):
        currency (str): Currency of credit_limit (the bank's base currency)
        date_of_birth (datetime.date | None):
        email (str):
        first_name (str):
        id (int):
        kyc_reason (None | str):
        kyc_status (KycStatus):
        kyc_updated_at (datetime.datetime | None):
        last_name (str):
        national_id_masked (None | str): '****' and the last 4 characters
        phone (str): E.164
        status (CustomerStatus):
        updated_at (datetime.datetime):
        user_id (int | None):
    """

    address: AddressOut | None
    created_at: datetime.datetime
    credit_limit: str
    currency: str
    date_of_birth: datetime.date | None
    email: str
    first_name: str
    id: int
    kyc_reason: None | str
    kyc_status: KycStatus
    kyc_updated_at: datetime.datetime | None
    last_name: str
    national_id_masked: None | str
    phone: str
    status: CustomerStatus
    updated_at: datetime.datetime
    user_id: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.address_out import AddressOut

        address: dict[str, Any] | None
        if isinstance(self.address, AddressOut):
            address = self.address.to_dict()
        else:
            address = self.address

        created_at = self.created_at.isoformat()

        credit_limit = self.credit_limit

        currency = self.currency

        date_of_birth: None | str
        if isinstance(self.date_of_birth, datetime.date):
            date_of_birth = self.date_of_birth.isoformat()
        else:
            date_of_birth = self.date_of_birth

        email = self.email

        first_name = self.first_name

        id = self.id

        kyc_reason: None | str
        kyc_reason = self.kyc_reason

        kyc_status = self.kyc_status.value

        kyc_updated_at: None | str
        if isinstance(self.kyc_updated_at, datetime.datetime):
            kyc_updated_at = self.kyc_updated_at.isoformat()
        else:
            kyc_updated_at = self.kyc_updated_at

        last_name = self.last_name

        national_id_masked: None | str
        national_id_masked = self.national_id_masked

        phone = self.phone

        status = self.status.value

        updated_at = self.updated_at.isoformat()

        user_id: int | None
        user_id = self.user_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "address": address,
                "created_at": created_at,
                "credit_limit": credit_limit,
                "currency": currency,
                "date_of_birth": date_of_birth,
                "email": email,
                "first_name": first_name,
                "id": id,
                "kyc_reason": kyc_reason,
                "kyc_status": kyc_status,
                "kyc_updated_at": kyc_updated_at,
                "last_name": last_name,
                "national_id_masked": national_id_masked,
                "phone": phone,
                "status": status,
                "updated_at": updated_at,
                "user_id": user_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.address_out import AddressOut

        d = dict(src_dict)

        def _parse_address(data: object) -> AddressOut | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                address_type_0 = AddressOut.from_dict(data)

                return address_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AddressOut | None, data)

        address = _parse_address(d.pop("address"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        credit_limit = d.pop("credit_limit")

        currency = d.pop("currency")

        def _parse_date_of_birth(data: object) -> datetime.date | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_of_birth_type_0 = datetime.date.fromisoformat(data)

                return date_of_birth_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None, data)

        date_of_birth = _parse_date_of_birth(d.pop("date_of_birth"))

        email = d.pop("email")

        first_name = d.pop("first_name")

        id = d.pop("id")

        def _parse_kyc_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        kyc_reason = _parse_kyc_reason(d.pop("kyc_reason"))

        kyc_status = KycStatus(d.pop("kyc_status"))

        def _parse_kyc_updated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                kyc_updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return kyc_updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        kyc_updated_at = _parse_kyc_updated_at(d.pop("kyc_updated_at"))

        last_name = d.pop("last_name")

        def _parse_national_id_masked(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        national_id_masked = _parse_national_id_masked(d.pop("national_id_masked"))

        phone = d.pop("phone")

        status = CustomerStatus(d.pop("status"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_user_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        user_id = _parse_user_id(d.pop("user_id"))

        customer_out = cls(
            address=address,
            created_at=created_at,
            credit_limit=credit_limit,
            currency=currency,
            date_of_birth=date_of_birth,
            email=email,
            first_name=first_name,
            id=id,
            kyc_reason=kyc_reason,
            kyc_status=kyc_status,
            kyc_updated_at=kyc_updated_at,
            last_name=last_name,
            national_id_masked=national_id_masked,
            phone=phone,
            status=status,
            updated_at=updated_at,
            user_id=user_id,
        )

        customer_out.additional_properties = d
        return customer_out

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
