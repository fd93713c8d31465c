from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.address import Address


T = TypeVar("T", bound="CustomerCreate")


@_attrs_define
class CustomerCreate:
    """A new customer. With no `user_id`, a user with the same e-mail is linked if one exists.

    Attributes:
        email (str): Stored normalized and lower case; unique among customers
        first_name (str): 1-100 characters after trimming; no control or zero-width characters
        last_name (str): 1-100 characters after trimming; no control or zero-width characters
        phone (str): Any common format; without +country it is read in DEFAULT_PHONE_REGION. Returned in E.164.
        address (Address | None | Unset):
        credit_limit (str | Unset): Base currency, 0 <= x <= MAX_CREDIT_LIMIT Default: '0.00'.
        date_of_birth (datetime.date | None | Unset):
        national_id (None | str | Unset):
        user_id (int | None | Unset):
    """

    email: str
    first_name: str
    last_name: str
    phone: str
    address: Address | None | Unset = UNSET
    credit_limit: str | Unset = "0.00"
    date_of_birth: datetime.date | None | Unset = UNSET
    national_id: None | str | Unset = UNSET
    user_id: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.address import Address

        email = self.email

        first_name = self.first_name

        last_name = self.last_name

        phone = self.phone

        address: dict[str, Any] | None | Unset
        if isinstance(self.address, Unset):
            address = UNSET
        elif isinstance(self.address, Address):
            address = self.address.to_dict()
        else:
            address = self.address

        credit_limit = self.credit_limit

        date_of_birth: None | str | Unset
        if isinstance(self.date_of_birth, Unset):
            date_of_birth = UNSET
        elif isinstance(self.date_of_birth, datetime.date):
            date_of_birth = self.date_of_birth.isoformat()
        else:
            date_of_birth = self.date_of_birth

        national_id: None | str | Unset
        if isinstance(self.national_id, Unset):
            national_id = UNSET
        else:
            national_id = self.national_id

        user_id: int | None | Unset
        if isinstance(self.user_id, Unset):
            user_id = UNSET
        else:
            user_id = self.user_id

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "first_name": first_name,
                "last_name": last_name,
                "phone": phone,
            }
        )
        if address is not UNSET:
            field_dict["address"] = address
        if credit_limit is not UNSET:
            field_dict["credit_limit"] = credit_limit
        if date_of_birth is not UNSET:
            field_dict["date_of_birth"] = date_of_birth
        if national_id is not UNSET:
            field_dict["national_id"] = national_id
        if user_id is not UNSET:
            field_dict["user_id"] = user_id

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.address import Address

        d = dict(src_dict)
        email = d.pop("email")

        first_name = d.pop("first_name")

        last_name = d.pop("last_name")

        phone = d.pop("phone")

        def _parse_address(data: object) -> Address | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                address_type_0 = Address.from_dict(data)

                return address_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Address | None | Unset, data)

        address = _parse_address(d.pop("address", UNSET))

        credit_limit = d.pop("credit_limit", UNSET)

        def _parse_date_of_birth(data: object) -> datetime.date | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_of_birth_type_0 = datetime.date.fromisoformat(data)

                return date_of_birth_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.date | None | Unset, data)

        date_of_birth = _parse_date_of_birth(d.pop("date_of_birth", UNSET))

        def _parse_national_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        national_id = _parse_national_id(d.pop("national_id", UNSET))

        def _parse_user_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        user_id = _parse_user_id(d.pop("user_id", UNSET))

        customer_create = cls(
            email=email,
            first_name=first_name,
            last_name=last_name,
            phone=phone,
            address=address,
            credit_limit=credit_limit,
            date_of_birth=date_of_birth,
            national_id=national_id,
            user_id=user_id,
        )

        return customer_create
