"""A logged-in user's handle on corebank: the generated `AuthenticatedClient`, wired to
transports that keep its tokens (transport.py)."""

from __future__ import annotations

from types import TracebackType
from typing import Self

import httpx

from corebank_client import AuthenticatedClient
from corebank_client.api.auth import login, logout, refresh
from corebank_client.models.login_json_login_request import LoginJsonLoginRequest
from corebank_client.models.mfa_ticket_out import MfaTicketOut
from corebank_client.models.refresh_request import RefreshRequest
from corebank_client.models.token_pair import TokenPair
from corebank_client_ext.policy import SessionPolicy, Tokens
from corebank_client_ext.transport import AsyncSessionTransport, SessionTransport


class CorebankSession:
    """Pass `session.client` to any generated call, sync (`.sync`) or async (`.asyncio`).

    Every call carries the current access token; a money POST without an `idempotency_key`
    gets a fresh one (each call its own: to make your own retries replay, pass your key); a
    401 is answered by one refresh (the pair rotates) and one retry of the request, with the
    same key; every 4xx and 5xx raises `ProblemError`.
    `transport` and `async_transport` replace the network transports (tests, proxies).
    """

    def __init__(
        self,
        base_url: str,
        *,
        tokens: Tokens | None = None,
        timeout: float = 10.0,
        verify: bool = True,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.tokens = tokens or Tokens()
        policy = SessionPolicy(httpx.URL(base_url), self.tokens)
        sync_inner = transport or httpx.HTTPTransport(verify=verify)
        async_inner = async_transport or httpx.AsyncHTTPTransport(verify=verify)
        self.client = AuthenticatedClient(base_url=base_url, token="")
        self.client.set_httpx_client(
            httpx.Client(
                base_url=base_url, timeout=timeout, transport=SessionTransport(policy, sync_inner)
            )
        )
        self.client.set_async_httpx_client(
            httpx.AsyncClient(
                base_url=base_url,
                timeout=timeout,
                transport=AsyncSessionTransport(policy, async_inner),
            )
        )

    def login(self, username: str, password: str) -> TokenPair | MfaTicketOut:
        """Log in and keep the pair; with MFA on, the ticket for `login_mfa` comes back."""
        body = LoginJsonLoginRequest(username=username, password=password)
        return self._kept(login.sync(client=self.client, body=body))

    async def alogin(self, username: str, password: str) -> TokenPair | MfaTicketOut:
        body = LoginJsonLoginRequest(username=username, password=password)
        return self._kept(await login.asyncio(client=self.client, body=body))

    def refresh(self) -> TokenPair:
        """Trade the refresh token for a new pair now (the transport also does it on a 401)."""
        body = RefreshRequest(refresh_token=self._refresh_token())
        return self._kept_pair(refresh.sync(client=self.client, body=body))

    async def arefresh(self) -> TokenPair:
        body = RefreshRequest(refresh_token=self._refresh_token())
        return self._kept_pair(await refresh.asyncio(client=self.client, body=body))

    def logout(self) -> None:
        """End the session on the server, then forget its tokens."""
        logout.sync_detailed(client=self.client)
        self.tokens.clear()

    async def alogout(self) -> None:
        await logout.asyncio_detailed(client=self.client)
        self.tokens.clear()

    def statement_csv(
        self, account_id: int, *, from_: str | None = None, to: str | None = None
    ) -> str:
        """The account's statement as CSV. The generated `statement` call reads JSON only
        (openapi-python-client parses an operation's first content type)."""
        response = self.client.get_httpx_client().get(
            _statement_path(account_id), params=_statement_params(from_, to)
        )
        return response.text

    async def astatement_csv(
        self, account_id: int, *, from_: str | None = None, to: str | None = None
    ) -> str:
        response = await self.client.get_async_httpx_client().get(
            _statement_path(account_id), params=_statement_params(from_, to)
        )
        return response.text

    def use(self, pair: TokenPair) -> None:
        """Adopt a pair obtained elsewhere (`login_mfa`, a stored session)."""
        self.tokens.access_token = pair.access_token
        self.tokens.refresh_token = pair.refresh_token

    def close(self) -> None:
        self.client.get_httpx_client().close()

    async def aclose(self) -> None:
        await self.client.get_async_httpx_client().aclose()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def _refresh_token(self) -> str:
        if self.tokens.refresh_token is None:
            raise RuntimeError("not logged in: no refresh token")
        return self.tokens.refresh_token

    def _kept(self, result: object) -> TokenPair | MfaTicketOut:
        if isinstance(result, MfaTicketOut):
            return result
        return self._kept_pair(result)

    def _kept_pair(self, result: object) -> TokenPair:
        if not isinstance(result, TokenPair):
            raise TypeError(f"expected a token pair, got {type(result).__name__}")
        self.use(result)
        return result


def _statement_path(account_id: int) -> str:
    return f"/api/v1/accounts/{account_id}/statement"


def _statement_params(from_: str | None, to: str | None) -> dict[str, str]:
    bounds = {"from": from_, "to": to}
    return {"format": "csv"} | {name: value for name, value in bounds.items() if value is not None}
