"""What every command shares: settings that fail with a clear message, and the app's
services built by the composition root for the length of one command."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError

from corebank.config import Settings

if TYPE_CHECKING:
    from corebank.container import Container


def load_settings() -> Settings:
    """Settings from the environment, or exit 2 naming what is wrong (never the values)."""
    try:
        return Settings()
    except ValidationError as exc:  # only the messages: the input may hold secrets
        for error in exc.errors(include_input=False, include_url=False):
            where = ".".join(str(part) for part in error["loc"]).upper()
            prefix = f"{where}: " if where else ""
            typer.echo(f"configuration error: {prefix}{error['msg']}", err=True)
        raise typer.Exit(2) from None


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Container]:
    """The app's services for one command, closed after it."""
    from corebank.container import build_container, close_container

    container = build_container(settings)
    try:
        yield container
    finally:
        await close_container(container)
