"""gunicorn settings: corebank under gunicorn's process manager with uvicorn workers.

An alternative to `corebank serve` (which runs uvicorn's own supervisor):

    pip install gunicorn uvicorn-worker      # neither is a corebank dependency
    corebank migrate                         # gunicorn never migrates
    gunicorn -c deploy/gunicorn.conf.py 'corebank.main:create_app()'

The worker class comes from the `uvicorn-worker` package when it is installed; otherwise this falls
back to `uvicorn.workers.UvicornWorker`, which uvicorn still ships but deprecates.

Environment:
    GUNICORN_BIND              address to bind (default 0.0.0.0:8000)
    WEB_CONCURRENCY            worker processes (default: the CPUs this process may use)
    PROMETHEUS_MULTIPROC_DIR   where workers share metrics (default /tmp/corebank-metrics);
                               wiped at start, cleaned of each dead worker's live gauges
Every corebank setting (SECRET_KEY, DATABASE_URL, ...) is read from the environment as usual.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
from typing import TYPE_CHECKING

from prometheus_client import multiprocess

if TYPE_CHECKING:
    from gunicorn.arbiter import Arbiter
    from gunicorn.workers.base import Worker

DEFAULT_METRICS_DIR = "/tmp/corebank-metrics"


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _worker_class() -> str:
    if importlib.util.find_spec("uvicorn_worker") is not None:
        return "uvicorn_worker.UvicornWorker"
    return "uvicorn.workers.UvicornWorker"


bind = [os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")]
workers = max(1, int(os.environ.get("WEB_CONCURRENCY", str(_cpus()))))
worker_class = _worker_class()
proc_name = "corebank"

# Each worker imports the app after the fork, so it sees PROMETHEUS_MULTIPROC_DIR (set in
# on_starting) before prometheus_client picks its value store. Never preload.
preload_app = False

# Seconds a worker may stay silent before it is killed and replaced.
timeout = 60
# On SIGTERM, workers stop accepting and get this long to finish requests in flight (the
# same 20 s as `corebank serve`); the orchestrator's grace period must be longer.
graceful_timeout = 20
# Keep idle connections longer than the proxy does (deploy/nginx.conf closes after 4 s).
keepalive = 5

# The app writes its own JSON access log (with correlation ids); gunicorn logs only errors.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# corebank resolves X-Forwarded-For itself from TRUSTED_PROXIES; uvicorn must not rewrite the
# client address first.
forwarded_allow_ips = ""

# gunicorn >= 25.1 opens a runtime control socket under $HOME; a container has no use for it
# (and a read-only home). Older versions ignore this name.
control_socket_disable = True

# The heartbeat file lives in memory (a container's /tmp may be a slow overlay or read-only).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"


def on_starting(server: Arbiter) -> None:
    """In the master, before any worker: a fresh metrics directory and one shared secret."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or DEFAULT_METRICS_DIR
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory

    from corebank.config import Settings

    # Fails here, before any worker starts, when production settings are unsafe.
    settings = Settings()
    if settings.secret_key is None:
        # Development only (production refuses to start without one): the workers must share
        # one key, or a token signed by one worker would be refused by the others.
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)


def child_exit(server: Arbiter, worker: Worker) -> None:
    """In the master, after a worker exits: drop its live gauges from the shared metrics."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
