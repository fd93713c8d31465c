"""Webhook URL rules: http(s) only; private, loopback, link-local and the like are refused."""

from __future__ import annotations

import pytest

from corebank.events.urls import INVALID, REFUSED, UNRESOLVABLE, UrlGuard, UrlRefused

REFUSED_URLS = [
    "http://127.0.0.1:8080/hook",
    "http://127.1/hook",  # short form, resolved by getaddrinfo
    "http://2130706433/hook",  # 127.0.0.1 as one number
    "http://10.1.2.3/hook",
    "http://172.16.0.1/hook",
    "http://192.168.1.10/hook",
    "http://100.64.0.1/hook",  # carrier-grade NAT
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://0.0.0.0/hook",
    "http://224.0.0.1/hook",
    "http://240.0.0.1/hook",
    "http://[::1]/hook",
    "http://[::]/hook",
    "http://[::ffff:127.0.0.1]/hook",  # IPv4-mapped
    "http://[64:ff9b::a00:1]/hook",  # NAT64 of 10.0.0.1
    "http://[2002:a00:1::]/hook",  # 6to4 of 10.0.0.1
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://[ff02::1]/hook",
    "http://localhost:9000/hook",
    "http://api.localhost/hook",
]


@pytest.mark.parametrize("url", REFUSED_URLS)
async def test_non_public_targets_are_refused(url: str) -> None:
    with pytest.raises(UrlRefused) as refused:
        await UrlGuard(allow_private=False).check(url)
    assert refused.value.code == REFUSED


@pytest.mark.parametrize(
    "url",
    [
        "ftp://93.184.215.14/hook",
        "file:///etc/passwd",
        "gopher://93.184.215.14/",
        "https://user:pw@93.184.215.14/hook",
        "https://93.184.215.14/hook#frag",
        "https:///hook",
        "not a url",
        "https://" + "a" * 2050 + ".example/",
    ],
)
async def test_only_plain_http_urls_are_valid(url: str) -> None:
    with pytest.raises(UrlRefused) as refused:
        await UrlGuard(allow_private=False).check(url)
    assert refused.value.code == INVALID


@pytest.mark.parametrize(
    "url",
    ["https://93.184.215.14/hook", "http://[2606:2800:220:1:248:1893:25c8:1946]:8443/x"],
)
async def test_public_addresses_pass(url: str) -> None:
    assert await UrlGuard(allow_private=False).check(url)


async def test_every_resolved_address_must_be_public() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        assert (host, port) == ("hooks.example.com", 443)
        return ["93.184.215.14", "10.0.0.7"]

    with pytest.raises(UrlRefused, match=r"10\.0\.0\.7"):
        await UrlGuard(allow_private=False, resolver=resolve).check("https://hooks.example.com/")


async def test_an_unresolvable_host_is_refused() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(UrlRefused) as refused:
        await UrlGuard(allow_private=False, resolver=resolve).check("https://nowhere.invalid/")
    assert refused.value.code == UNRESOLVABLE


async def test_allow_private_lets_loopback_through() -> None:
    assert await UrlGuard(allow_private=True).check("http://127.0.0.1:9/hook") == ["127.0.0.1"]
    assert await UrlGuard(allow_private=True).check("http://localhost:9/hook")


async def test_pin_connects_to_the_checked_address_and_keeps_the_name() -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return ["93.184.215.14"]

    guard = UrlGuard(allow_private=False, resolver=resolve)
    target = await guard.pin("https://hooks.example.com:8443/in?x=1")
    assert target.addresses == ("93.184.215.14",)
    assert str(target.url_for("93.184.215.14")) == "https://93.184.215.14:8443/in?x=1"
    assert target.host_header == "hooks.example.com:8443"
    assert target.sni_hostname == "hooks.example.com"
    plain = await guard.pin("http://hooks.example.com/in")
    assert (plain.host_header, plain.sni_hostname) == ("hooks.example.com", None)
