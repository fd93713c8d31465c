"""One signed HTTP POST of an event to a webhook endpoint, at the address the guard checked."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from corebank import __version__
from corebank.events import signing
from corebank.events.urls import PinnedTarget, UrlGuard

USER_AGENT = f"corebank-webhooks/{__version__}"


class DeliveryFailed(Exception):
    """The endpoint did not take the delivery.

    `breaker_failure` says whether it counts against the endpoint's circuit breaker: network
    errors, timeouts, 429 and 5xx do; other answers (3xx, 4xx) mean the endpoint is up.
    """

    def __init__(
        self, message: str, *, status_code: int | None = None, breaker_failure: bool = True
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.breaker_failure = breaker_failure


def counts_against_breaker(exc: BaseException) -> bool:
    """The circuit breaker's failure predicate."""
    return isinstance(exc, DeliveryFailed) and exc.breaker_failure


class WebhookSender:
    """POSTs envelopes; never follows redirects, never uses proxies from the environment.

    Connections are pooled per host name (one client each), so a kept-alive TLS connection
    verified for one name is never reused for another name served from the same address.
    """

    def __init__(self, *, guard: UrlGuard, timeout: float) -> None:
        self.guard = guard
        self.timeout = timeout
        self._clients: dict[tuple[str, str], httpx.AsyncClient] = {}

    def _http(self, target: PinnedTarget) -> httpx.AsyncClient:
        key = (target.url.scheme, target.host_header)
        client = self._clients.get(key)
        if client is None:
            client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=False,
                trust_env=False,
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=5),
            )
            self._clients[key] = client
        return client

    async def send(
        self,
        *,
        url: str,
        secret: str,
        body: bytes,
        timestamp: int,
        event_id: str,
        event_type: str,
        delivery_id: int,
    ) -> int:
        """Deliver once; the status code on 2xx, else DeliveryFailed (UrlRefused if refused)."""
        target = await self.guard.pin(url)
        headers = {
            "Host": target.host_header,
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            signing.SIGNATURE_HEADER: signing.signature_header(secret, timestamp, body),
            signing.EVENT_ID_HEADER: event_id,
            signing.EVENT_TYPE_HEADER: event_type,
            signing.DELIVERY_ID_HEADER: str(delivery_id),
        }
        extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else None
        client = self._http(target)
        try:
            async with asyncio.timeout(self.timeout):
                status = await self._post(client, target, body, headers, extensions)
        except (httpx.TimeoutException, TimeoutError):
            raise DeliveryFailed(f"timed out after {self.timeout:g}s") from None
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"connection failed: {type(exc).__name__}") from None
        if 200 <= status < 300:
            return status
        raise DeliveryFailed(
            f"HTTP {status}",
            status_code=status,
            breaker_failure=status == 429 or status >= 500,
        )

    @staticmethod
    async def _post(
        client: httpx.AsyncClient,
        target: PinnedTarget,
        body: bytes,
        headers: dict[str, str],
        extensions: dict[str, Any] | None,
    ) -> int:
        """POST to the first checked address that accepts a connection; the status code."""
        for index, address in enumerate(target.addresses):
            url = target.url_for(address)
            request = client.build_request(
                "POST", url, content=body, headers=headers, extensions=extensions
            )
            try:
                response = await client.send(request, stream=True)
            except httpx.ConnectError:
                if index == len(target.addresses) - 1:
                    raise
                continue
            await response.aclose()
            return response.status_code
        raise AssertionError("a pinned target has at least one address")

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
