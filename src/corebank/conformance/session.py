"""The admin credential: a password login (with a TOTP code computed from the secret when the
admin has a second factor, as production's REQUIRE_MFA_FOR_STAFF demands), or a ready token."""

from __future__ import annotations

from dataclasses import dataclass

from corebank.conformance.client import API, Client, expect_status, json_of
from corebank.conformance.results import CheckFailed


@dataclass(frozen=True)
class Credentials:
    email: str | None = None
    password: str | None = None
    totp_secret: str | None = None
    token: str | None = None


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str | None
    #: True when the suite opened the session, so it ends it again (a given token is left alone).
    owned: bool


def log_in(client: Client, credentials: Credentials) -> Tokens:
    """Tokens for the admin, or CheckFailed saying why there are none."""
    if credentials.token is not None:
        return Tokens(credentials.token, None, owned=False)
    if credentials.email is None or credentials.password is None:
        raise CheckFailed("give --admin-token, or --admin-email with a password")
    return password_login(client, credentials.email, credentials.password, credentials.totp_secret)


def password_login(
    client: Client, identifier: str, password: str, totp_secret: str | None = None
) -> Tokens:
    response = expect_status(
        client.post(f"{API}/auth/login", json={"username": identifier, "password": password}), 200
    )
    body = json_of(response)
    if body.get("mfa_required"):
        body = _second_factor(client, body["mfa_ticket"], totp_secret)
    return Tokens(body["access_token"], body["refresh_token"], owned=True)


def _second_factor(client: Client, ticket: str, totp_secret: str | None) -> dict:
    if totp_secret is None:
        raise CheckFailed(
            "the admin has a second factor: give --admin-totp-secret, or --admin-token"
        )
    import pyotp

    code = pyotp.TOTP(totp_secret).now()
    response = client.post(f"{API}/auth/login/mfa", json={"mfa_ticket": ticket, "code": code})
    return json_of(expect_status(response, 200))


def log_out(client: Client, tokens: Tokens) -> None:
    """End the session the suite opened (a token it was given stays alive)."""
    if tokens.owned:
        client.post(f"{API}/auth/logout", token=tokens.access)
