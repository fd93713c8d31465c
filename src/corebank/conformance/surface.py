"""Checks that write nothing: health endpoints, security headers, correlation ids, the
problem+json shape, token refusals and the admin's own session."""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass

import httpx

from corebank.conformance.client import API, Client, expect_problem, expect_status, json_of
from corebank.conformance.results import CheckFailed, Report, Skipped
from corebank.conformance.session import Tokens

#: protection.md, "HTTP hardening": on every response, whatever its status.
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}
CSP_DIRECTIVES = ("default-src 'none'", "frame-ancestors 'none'")
HSTS_PREFIX = "max-age="


@dataclass(frozen=True)
class Surface:
    client: Client
    report: Report
    tokens: Tokens | None
    https: bool
    prefix: str

    @property
    def admin(self) -> str:
        if self.tokens is None:
            raise Skipped("no admin session")
        return self.tokens.access


def check_surface(surface: Surface) -> None:
    """Every read-only check, each recorded under its name."""
    checks = (
        ("health.live", _health_live),
        ("health.ready", _health_ready),
        ("health.detailed", _health_detailed),
        ("headers.security", _security_headers),
        ("headers.hsts", _hsts),
        ("correlation.generated", _correlation_generated),
        ("correlation.echoed", _correlation_echoed),
        ("errors.problem_json", _problem_json),
        ("errors.validation", _validation_problem),
        ("errors.malformed_json", _malformed_json),
        ("auth.token_missing", _token_missing),
        ("auth.token_garbage", _token_garbage),
        ("auth.token_tampered", _token_tampered),
        ("auth.token_alg_none", _token_alg_none),
        ("auth.refresh_token_as_access", _refresh_as_access),
        ("pagination.shape", _pagination_shape),
    )
    for name, check in checks:
        with surface.report.check(name):
            check(surface)


def _health_live(surface: Surface) -> None:
    body = json_of(expect_status(surface.client.get("/health"), 200))
    if body.get("status") != "ok":
        raise CheckFailed(f"status {body.get('status')!r}, expected 'ok'")


def _health_ready(surface: Surface) -> None:
    response = expect_status(surface.client.get("/health/ready"), 200)
    body = json_of(response)
    if (body.get("status"), body.get("database")) != ("ok", "ok"):
        raise CheckFailed(f"not ready: {body}", response)
    if body.get("migrations") != "at head":
        raise CheckFailed(f"migrations {body.get('migrations')!r}, expected 'at head'", response)


def _health_detailed(surface: Surface) -> None:
    response = expect_status(surface.client.get("/health/detailed", token=surface.admin), 200)
    body = json_of(response)
    if body.get("status") not in ("ok", "degraded"):
        raise CheckFailed(f"status {body.get('status')!r}", response)
    if "database" not in json.dumps(body):
        raise CheckFailed("the report does not name the database", response)


def _security_headers(surface: Surface) -> None:
    for response in (surface.client.get("/health"), surface.client.get(f"{API}/users/me")):
        for name, value in SECURITY_HEADERS.items():
            if response.headers.get(name) != value:
                seen = response.headers.get(name)
                raise CheckFailed(f"{name}: {seen!r}, not {value!r}", response)
        csp = response.headers.get("content-security-policy", "")
        if not all(directive in csp for directive in CSP_DIRECTIVES):
            raise CheckFailed(f"content-security-policy {csp!r}", response)
        if "server" in response.headers:
            raise CheckFailed("a Server header is sent", response)


def _hsts(surface: Surface) -> None:
    if not surface.https:
        raise Skipped("HSTS is a production header over https; the base URL is http")
    response = surface.client.get("/health")
    if not response.headers.get("strict-transport-security", "").startswith(HSTS_PREFIX):
        raise CheckFailed("no Strict-Transport-Security", response)


def _correlation_generated(surface: Surface) -> None:
    response = surface.client.get("/health")
    if not response.headers.get("x-correlation-id"):
        raise CheckFailed("no X-Correlation-ID on the response", response)


def _correlation_echoed(surface: Surface) -> None:
    sent = f"conformance-{secrets.token_hex(8)}"
    response = surface.client.get(f"{API}/users/me", headers={"X-Correlation-ID": sent})
    if response.headers.get("x-correlation-id") != sent:
        raise CheckFailed("the X-Correlation-ID sent was not echoed", response)
    if expect_problem(response, (401,))["correlation_id"] != sent:
        raise CheckFailed("the problem's correlation_id is not the one sent", response)


def _problem_json(surface: Surface) -> None:
    expect_problem(surface.client.get(f"{API}/users/me"), (401,))
    expect_problem(surface.client.get(f"{API}/conformance-no-such-route"), (404,))


def _validation_problem(surface: Surface) -> None:
    response = surface.client.get(f"{API}/customers", params={"limit": 0}, token=surface.admin)
    body = expect_problem(response, (422,))
    errors = body.get("errors")
    if not errors or not all({"loc", "msg", "type"} <= set(error) for error in errors):
        raise CheckFailed("a 422 without errors [{loc, msg, type}]", response)


def _malformed_json(surface: Surface) -> None:
    response = surface.client.post(
        f"{API}/customers",
        content=b'{"first_name": ',
        headers={"Content-Type": "application/json"},
        token=surface.admin,
    )
    expect_problem(response, (400, 422))


def _token_missing(surface: Surface) -> None:
    _expect_token_refused(surface.client.get(f"{API}/users/me"))


def _token_garbage(surface: Surface) -> None:
    _expect_token_refused(surface.client.get(f"{API}/users/me", token="not-a-token"))


def _token_tampered(surface: Surface) -> None:
    header, claims, signature = surface.admin.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    token = f"{header}.{claims}.{flipped}"
    _expect_token_refused(surface.client.get(f"{API}/users/me", token=token))


def _token_alg_none(surface: Surface) -> None:
    """The admin's own claims, unsigned (`alg: none`): must be refused."""
    claims = surface.admin.split(".")[1]
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    _expect_token_refused(surface.client.get(f"{API}/users/me", token=f"{header}.{claims}."))


def _refresh_as_access(surface: Surface) -> None:
    if surface.tokens is None or surface.tokens.refresh is None:
        raise Skipped("no refresh token (the admin session came from --admin-token)")
    _expect_token_refused(surface.client.get(f"{API}/users/me", token=surface.tokens.refresh))


def _pagination_shape(surface: Surface) -> None:
    """A list filtered to nothing but this run's own prefix: `{items, next_cursor}`."""
    response = surface.client.get(
        f"{API}/customers", params={"limit": 1, "q": surface.prefix}, token=surface.admin
    )
    body = json_of(expect_status(response, 200))
    if not isinstance(body.get("items"), list) or "next_cursor" not in body:
        raise CheckFailed("a list without items and next_cursor", response)


def _expect_token_refused(response: httpx.Response) -> None:
    expect_problem(response, (401,))
    if not response.headers.get("www-authenticate", "").lower().startswith("bearer"):
        raise CheckFailed("a 401 without WWW-Authenticate: Bearer", response)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
