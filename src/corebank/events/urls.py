"""Webhook URL rules: http(s) only, and no private, loopback or link-local targets (SSRF).

A URL is checked when an admin saves it and again before every delivery, after resolving its
host. The delivery then connects to the very address that was checked (the Host header and TLS
SNI keep the name), so a DNS answer that changes between check and connect (rebinding) cannot
redirect a delivery to an internal address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2048
RESOLVE_TIMEOUT_SECONDS = 5.0
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

INVALID = "invalid-webhook-url"
REFUSED = "webhook-url-refused"
UNRESOLVABLE = "webhook-url-unresolvable"


class UrlRefused(Exception):
    """A webhook URL that may not be used; `code` is the problem type."""

    def __init__(self, message: str, *, code: str = REFUSED) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, through the event loop's getaddrinfo."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, Teredo, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public_address(address: IPAddress) -> bool:
    """False for private, loopback, link-local, multicast, reserved and unspecified addresses."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not (
        address.is_multicast
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_unspecified
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


@dataclass(frozen=True)
class PinnedTarget:
    """Where one delivery goes: checked addresses to connect to, and the name for Host and SNI."""

    url: httpx.URL
    addresses: tuple[str, ...]
    host_header: str
    sni_hostname: str | None

    def url_for(self, address: str) -> httpx.URL:
        """The URL with its host replaced by one of the checked addresses."""
        return self.url.copy_with(host=address)


class UrlGuard:
    """Checks webhook URLs; `allow_private` (ALLOW_PRIVATE_WEBHOOKS) lifts the address rule."""

    def __init__(self, *, allow_private: bool, resolver: Resolver = system_resolve) -> None:
        self.allow_private = allow_private
        self.resolver = resolver

    def parse(self, url: str) -> httpx.URL:
        """The URL if its form is acceptable (http(s), a host, no credentials); else refuse."""
        if len(url) > MAX_URL_LENGTH:
            raise UrlRefused(f"The URL is longer than {MAX_URL_LENGTH} characters.", code=INVALID)
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError, TypeError):
            raise UrlRefused("The URL is not valid.", code=INVALID) from None
        if parsed.scheme not in ("http", "https"):
            raise UrlRefused("Only http and https URLs are allowed.", code=INVALID)
        if not parsed.host:
            raise UrlRefused("The URL has no host.", code=INVALID)
        if parsed.userinfo:
            raise UrlRefused("The URL must not carry a user name or password.", code=INVALID)
        if parsed.fragment:
            raise UrlRefused("The URL must not have a #fragment.", code=INVALID)
        if "%" in parsed.host:
            raise UrlRefused("IPv6 zone identifiers are not allowed.", code=INVALID)
        return parsed

    async def check(self, url: str) -> list[str]:
        """Parse, resolve and check `url`; return its addresses (refuse any non-public one)."""
        parsed = self.parse(url)
        return await self._addresses(parsed)

    async def pin(self, url: str) -> PinnedTarget:
        """Check `url` now and return a target that connects to the address just checked."""
        parsed = self.parse(url)
        addresses = tuple(await self._addresses(parsed))
        literal = _literal(parsed.host) is not None
        return PinnedTarget(
            url=parsed,
            addresses=addresses,
            host_header=parsed.netloc.decode("ascii"),
            sni_hostname=None if literal or parsed.scheme != "https" else parsed.raw_host.decode(),
        )

    async def _addresses(self, parsed: httpx.URL) -> list[str]:
        host = parsed.host
        literal = _literal(host)
        if literal is not None:
            self._require_public(literal, host)
            return [str(literal)]
        if not self.allow_private and (host == "localhost" or host.endswith(".localhost")):
            raise UrlRefused(f"{host} is a loopback name.")
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
                found = await self.resolver(parsed.raw_host.decode("ascii"), port)
        except (OSError, TimeoutError, UnicodeError):
            raise UrlRefused(f"{host} could not be resolved.", code=UNRESOLVABLE) from None
        addresses = [a for a in (_literal(a.split("%", 1)[0]) for a in found) if a is not None]
        if not addresses:
            raise UrlRefused(f"{host} could not be resolved.", code=UNRESOLVABLE)
        for address in addresses:
            self._require_public(address, host)
        return [str(a) for a in addresses]

    def _require_public(self, address: IPAddress, host: str) -> None:
        if not self.allow_private and not is_public_address(address):
            shown = host if str(address) == host else f"{host} ({address})"
            raise UrlRefused(
                f"{shown} is not a public address: private, loopback, link-local, multicast "
                "and reserved addresses are refused."
            )
