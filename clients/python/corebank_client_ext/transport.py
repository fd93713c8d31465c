"""httpx transports that carry a session's tokens: they wrap the real transport, so every
generated call (sync or async) gets the bearer token, the idempotency key, one refresh on a
401, and a `ProblemError` for any refusal."""

from __future__ import annotations

import asyncio
import threading

import httpx

from corebank_client_ext.policy import SessionPolicy
from corebank_client_ext.problem import ProblemError


class SessionTransport(httpx.BaseTransport):
    def __init__(self, policy: SessionPolicy, inner: httpx.BaseTransport) -> None:
        self._policy = policy
        self._inner = inner
        self._refresh_lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        sent_token = self._policy.prepare(request)
        response = self._inner.handle_request(request)
        if self._policy.should_refresh(request, response) and self._refreshed(sent_token):
            response.close()
            self._policy.prepare(request)
            response = self._inner.handle_request(request)
        if response.status_code >= 400:
            response.read()
            response.close()
            raise ProblemError.from_response(response)
        return response

    def _refreshed(self, sent_token: str | None) -> bool:
        """Refresh once; a request that saw a token another thread already replaced just
        retries with the new one (a second refresh would present a used refresh token)."""
        with self._refresh_lock:
            if self._policy.tokens.access_token != sent_token:
                return self._policy.tokens.access_token is not None
            response = self._inner.handle_request(self._policy.refresh_request())
            response.read()
            response.close()
            return self._policy.accept_refresh(response)

    def close(self) -> None:
        self._inner.close()


class AsyncSessionTransport(httpx.AsyncBaseTransport):
    def __init__(self, policy: SessionPolicy, inner: httpx.AsyncBaseTransport) -> None:
        self._policy = policy
        self._inner = inner
        self._refresh_lock = asyncio.Lock()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        sent_token = self._policy.prepare(request)
        response = await self._inner.handle_async_request(request)
        if self._policy.should_refresh(request, response) and await self._refreshed(sent_token):
            await response.aclose()
            self._policy.prepare(request)
            response = await self._inner.handle_async_request(request)
        if response.status_code >= 400:
            await response.aread()
            await response.aclose()
            raise ProblemError.from_response(response)
        return response

    async def _refreshed(self, sent_token: str | None) -> bool:
        async with self._refresh_lock:
            if self._policy.tokens.access_token != sent_token:
                return self._policy.tokens.access_token is not None
            response = await self._inner.handle_async_request(self._policy.refresh_request())
            await response.aread()
            await response.aclose()
            return self._policy.accept_refresh(response)

    async def aclose(self) -> None:
        await self._inner.aclose()
