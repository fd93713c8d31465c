"""The gunicorn worker class for corebank (deploy/gunicorn.conf.py): uvicorn's worker on the
event loop `corebank serve` uses (see corebank.serving). Imported by gunicorn only: it needs
gunicorn and uvicorn-worker, which corebank itself does not depend on."""

from __future__ import annotations

import importlib.util
from typing import Any

from corebank.serving import DEFAULT_EVENT_LOOP

if importlib.util.find_spec("uvicorn_worker") is not None:
    from uvicorn_worker import UvicornWorker as _UvicornWorker
else:  # uvicorn still ships it, deprecated
    from uvicorn.workers import UvicornWorker as _UvicornWorker


class UvicornWorker(_UvicornWorker):  # type: ignore[misc, valid-type]
    CONFIG_KWARGS: dict[str, Any] = {
        **_UvicornWorker.CONFIG_KWARGS,
        "loop": DEFAULT_EVENT_LOOP.value,
    }
