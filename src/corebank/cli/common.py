"""What every command shares: settings that fail with a clear message, the app's services
built by the composition root for the length of one command, and a progress line."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager, suppress
from typing import TYPE_CHECKING, TextIO

import structlog
import typer
from pydantic import ValidationError

from corebank.config import Settings

if TYPE_CHECKING:
    from corebank.container import Container


log = structlog.get_logger(__name__)


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
async def periodic(
    job: Callable[[], Awaitable[object]], interval_seconds: float | None, *, name: str
) -> AsyncIterator[None]:
    """Run `job` every `interval_seconds` in the background for the length of the block (off
    when None); a failed run is logged (no trace: an outage is expected) and tried again at
    the next tick."""

    async def loop() -> None:
        assert interval_seconds is not None
        while True:
            try:
                await job()
            except Exception as exc:  # a database outage must not end the worker
                log.warning(f"{name}.failed", error=type(exc).__name__)
            await asyncio.sleep(interval_seconds)

    task = asyncio.create_task(loop()) if interval_seconds else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Container]:
    """The app's services for one command, closed after it."""
    from corebank.container import build_container, close_container

    container = build_container(settings)
    try:
        yield container
    finally:
        await close_container(container)


#: Told how many more rows a long command has checked or written.
Advance = Callable[[int], None]


def shows_progress(
    settings: Settings | None,
    *,
    stream: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> bool:
    """Progress only for a person at a terminal: LOG_FORMAT console, the stream a TTY, and
    not in CI (CI=true or 1); JSON logs, pipes and CI output stay as they are. `settings`
    None: a command that runs no service (conformance) has no log format to consult."""
    stream = sys.stderr if stream is None else stream
    environ = os.environ if environ is None else environ
    in_ci = environ.get("CI", "").strip().lower() in {"true", "1", "yes"}
    console = settings is None or settings.effective_log_format == "console"
    return console and stream.isatty() and not in_ci


@contextmanager
def progress(
    settings: Settings | None, label: str, *, unit: str = "rows", stream: TextIO | None = None
) -> Iterator[Advance]:
    """A live `label: N rows, elapsed` line on stderr, gone when the block ends; yields the
    function to call with each batch's count. Does nothing unless `shows_progress`."""
    stream = sys.stderr if stream is None else stream
    if not shows_progress(settings, stream=stream):
        yield lambda _: None
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (
        SpinnerColumn(),
        TextColumn(f"{label}: {{task.completed:,.0f}} {unit}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda count: bar.advance(task, count)
