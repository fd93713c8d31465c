"""How the API server runs: the event loop of `corebank serve` (and of the bench's baselines).

uvicorn's "auto" by default: uvloop when it is installed (it comes with uvicorn[standard] on
Linux and macOS), else asyncio's own loop. Measured here on one saturated worker, two pairs of
runs each (docs/performance.md): uvloop gives 12-14% more account reads per second than
asyncio's loop and as many or more transfers, and the database-bound endpoints' tails are the
connection pool's either way. But uvloop lets some connections wait many loop turns while it
serves others (MagicStack/uvloop#123 reports the same order): at 64 connections `GET /health`
had a p99 of 110-280 ms against a 14 ms median, though the app never took more than ~1 ms per
request, where asyncio's loop gave 17-31 ms. `corebank serve --loop asyncio` makes that trade.
"""

from __future__ import annotations

from enum import StrEnum


class EventLoop(StrEnum):
    auto = "auto"
    asyncio = "asyncio"
    uvloop = "uvloop"


DEFAULT_EVENT_LOOP = EventLoop.auto
