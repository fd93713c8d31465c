"""A deployment that breaks the contract on purpose, for tests/test_conformance.py: the real
app, with every problem+json answer relabelled `application/json`."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from corebank.main import create_app as create_real_app

PROBLEM = b"application/problem+json"


class RelabelProblems:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def relabel(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (name, b"application/json" if value == PROBLEM else value)
                    for name, value in message.get("headers", ())
                ]
            await send(message)

        await self.app(scope, receive, relabel)


def create_app() -> ASGIApp:
    return RelabelProblems(create_real_app())
