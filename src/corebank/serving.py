"""How the API server runs: the event loop `corebank serve` and the gunicorn worker use.

asyncio's own loop, not uvloop (which uvicorn picks when it is installed): measured here at
64 connections on one saturated worker, uvloop served `GET /health` with a p99 of 110-280 ms
against a median of 14 ms, while the app itself never took more than about 1 ms per request;
asyncio's loop gave a p99 of 17-23 ms at about the same throughput. Under saturation uvloop
lets some connections wait many turns while others are served (MagicStack/uvloop#123 reports
the same ordering), and a bank's API cares about its tail more than about the last 10% of
peak throughput. `corebank serve --loop uvloop` brings it back. docs/performance.md has the
figures.
"""

from __future__ import annotations

from enum import StrEnum


class EventLoop(StrEnum):
    asyncio = "asyncio"
    uvloop = "uvloop"


DEFAULT_EVENT_LOOP = EventLoop.asyncio
