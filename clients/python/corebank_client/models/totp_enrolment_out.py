from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="TotpEnrolmentOut")


@_attrs_define
class TotpEnrolmentOut:
    """Shown once: add it to an authenticator app (scan the QR code or type the secret).

    Attributes:
        otpauth_uri (str): otpauth://totp/... (what the QR code holds)
        qr_svg (str): The URI as an SVG QR code
        secret (str): Base32 secret, for typing into an authenticator app
    """

    otpauth_uri: str
    qr_svg: str
    secret: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        otpauth_uri = self.otpauth_uri

        qr_svg = self.qr_svg

        secret = self.secret

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "otpauth_uri": otpauth_uri,
                "qr_svg": qr_svg,
                "secret": secret,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        otpauth_uri = d.pop("otpauth_uri")

        qr_svg = d.pop("qr_svg")

        secret = d.pop("secret")

        totp_enrolment_out = cls(
            otpauth_uri=otpauth_uri,
            qr_svg=qr_svg,
            secret=secret,
        )

        totp_enrolment_out.additional_properties = d
        return totp_enrolment_out

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
