"""One fake HTTP/1.1 server on loopback (asyncio streams) for the tests that need a real peer.

`FakeHttpServer` parses each request, records it in `requests` and answers what `respond`
returns; a subclass (or a test) decides the answer. The server is real: the code under test
talks to it over a socket, with its own client, timeouts and connection pool.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar

import orjson

S = TypeVar("S", bound="FakeHttpServer")


@dataclass
class Received:
    """One request as the server read it (header names in lower case)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)


@dataclass
class Reply:
    """What the server answers; `close` ends the connection after it (no keep-alive)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    close: bool = False

    def encode(self) -> bytes:
        lines = [f"HTTP/1.1 {self.status} {_phrase(self.status)}"]
        lines += [f"{name}: {value}" for name, value in self.headers.items()]
        lines.append(f"Content-Length: {len(self.body)}")
        if self.close:
            lines.append("Connection: close")
        return "\r\n".join([*lines, "", ""]).encode("latin-1") + self.body


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class FakeHttpServer:
    """A minimal HTTP/1.1 server on 127.0.0.1 that records every request it gets.

    Subclasses override `respond`; the default answers 200 with an empty body. `close` stops
    listening and drops the open connections.
    """

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._arrived = asyncio.Event()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.close()
        await self._server.wait_closed()
        await asyncio.sleep(0)

    async def respond(self, request: Received) -> Reply:
        """The answer to `request`, which has already been recorded."""
        return Reply()

    async def wait_for(self, count: int, *, seconds: float = 5.0) -> list[Received]:
        """Every request so far, once at least `count` have arrived (TimeoutError otherwise)."""
        async with asyncio.timeout(seconds):
            while len(self.requests) < count:
                self._arrived.clear()
                await self._arrived.wait()
        return self.requests

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            while True:
                request = await _read_request(reader)
                self.requests.append(request)
                self._arrived.set()
                reply = await self.respond(request)
                writer.write(reply.encode())
                await writer.drain()
                if reply.close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            self._writers.discard(writer)
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Received:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Received(method, path, headers, body)


@contextlib.asynccontextmanager
async def serving(server: S) -> AsyncIterator[S]:
    """`server`, started for the block and closed after it (the body of a fixture)."""
    await server.start()
    try:
        yield server
    finally:
        await server.close()
