"""Processes the bench starts (servers), and where the machine's CPU went during each run.

`CpuMeter` snapshots every process before and after a run and splits the CPU time into the
app server, the baseline server, PostgreSQL (backends of the bench database and its shared
background processes), the load driver (wrk/pgbench: our waited-for children) and
everything else ("foreign": other tenants of this shared machine). Steal time is the
hypervisor's. Processes that start and end between two snapshots are missed, so foreign load
is a lower bound.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass
class CpuUsage:
    """Core-seconds used during one run, by owner."""

    wall: float
    server: float
    baseline: float
    postgres: float
    driver: float
    foreign: float
    steal: float
    busy: float

    def cores(self, value: float) -> float:
        return value / self.wall if self.wall else 0.0

    @property
    def contended(self) -> bool:
        """Other tenants used more than a tenth of a core on average."""
        return self.cores(self.foreign) > 0.1


def _cpu(proc: psutil.Process) -> float:
    try:
        times = proc.cpu_times()
        return times.user + times.system
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return 0.0


def process_tree(pid: int) -> set[int]:
    """`pid` and all its descendants (empty when it has gone)."""
    try:
        proc = psutil.Process(pid)
        return {pid, *(child.pid for child in proc.children(recursive=True))}
    except psutil.NoSuchProcess:
        return set()


class CpuMeter:
    """Measures one run; `pids` callables name the app server's and baseline's processes."""

    def __init__(
        self,
        *,
        dbname: str,
        server_pids: Callable[[], set[int]],
        baseline_pids: Callable[[], set[int]],
    ) -> None:
        self.dbname = dbname
        self.server_pids = server_pids
        self.baseline_pids = baseline_pids
        self._before: dict[int, tuple[float, float, str]] = {}
        self._t0 = 0.0
        self._sys0: psutil._common.scputimes | None = None
        self._children0 = 0.0
        self._baseline: set[int] = set()

    def _classify(self, info: Mapping[str, object], mine: set[int], server: set[int]) -> str:
        pid = int(str(info["pid"]))
        if pid in server:
            return "server"
        if pid in self._baseline:
            return "baseline"
        cmdline = " ".join(info.get("cmdline") or [])  # type: ignore[arg-type]
        if info.get("name") == "postgres" or cmdline.startswith("postgres"):
            if self.dbname in cmdline:
                return "postgres"
            if "(" in cmdline or "[local]" in cmdline or "autovacuum worker" in cmdline:
                return "foreign"  # a backend of another database
            return "postgres"  # shared background processes (WAL writer, checkpointer ...)
        if pid in mine:
            return "runner"
        if not cmdline:
            return "kernel"
        return "foreign"

    def _snapshot(self) -> dict[int, tuple[float, float, str]]:
        me = os.getpid()
        mine = process_tree(me)
        server = self.server_pids()
        self._baseline = self.baseline_pids()
        snap = {}
        for proc in psutil.process_iter(["pid", "name", "cmdline", "create_time"]):
            info = proc.info
            kind = self._classify(info, mine, server)
            snap[proc.pid] = (float(info.get("create_time") or 0.0), _cpu(proc), kind)
        return snap

    @staticmethod
    def _children_cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    def start(self) -> None:
        self._before = self._snapshot()
        self._sys0 = psutil.cpu_times()
        self._children0 = self._children_cpu()
        self._t0 = time.monotonic()

    def stop(self) -> CpuUsage:
        wall = time.monotonic() - self._t0
        sys1 = psutil.cpu_times()
        children = self._children_cpu() - self._children0
        after = self._snapshot()
        totals = {"server": 0.0, "baseline": 0.0, "postgres": 0.0, "foreign": 0.0}
        for pid, (created, cpu, kind) in after.items():
            base = self._before.get(pid)
            start = base[1] if base and base[0] == created else 0.0
            if kind in totals:
                totals[kind] += max(0.0, cpu - start)
        assert self._sys0 is not None
        idle = (sys1.idle - self._sys0.idle) + (sys1.iowait - self._sys0.iowait)
        steal = sys1.steal - self._sys0.steal
        total = sum(sys1) - sum(self._sys0)
        return CpuUsage(
            wall=wall,
            server=totals["server"],
            baseline=totals["baseline"],
            postgres=totals["postgres"],
            driver=children,
            foreign=totals["foreign"],
            steal=steal,
            busy=total - idle - steal,
        )


def rss_mb(pids: Iterable[int]) -> dict[int, float]:
    """Resident set size of each process, in MiB."""
    sizes = {}
    for pid in pids:
        try:
            sizes[pid] = psutil.Process(pid).memory_info().rss / 2**20
        except psutil.NoSuchProcess:
            continue
    return sizes


class Server:
    """A server subprocess in its own process group (stopped by that group's id)."""

    def __init__(
        self, name: str, cmd: list[str], *, env: Mapping[str, str], cwd: Path, log: Path
    ) -> None:
        self.name = name
        self.cmd = cmd
        self.env = dict(env)
        self.cwd = cwd
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, ready_url: str, *, timeout: float = 60.0) -> None:
        self.cwd.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                self.cmd,
                env=self.env,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.proc.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(ready_url, timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} did not become ready at {ready_url}; see {self.log}")

    def pids(self) -> set[int]:
        return process_tree(self.proc.pid) if self.proc and self.proc.poll() is None else set()

    def worker_pids(self) -> list[int]:
        """The processes that serve requests: the server itself, or its uvicorn workers."""
        if self.proc is None:
            return []
        try:
            children = psutil.Process(self.proc.pid).children()
        except psutil.NoSuchProcess:
            return []
        workers = [
            c.pid
            for c in children
            if "multiprocessing.spawn" in " ".join(c.cmdline())
            and "resource_tracker" not in " ".join(c.cmdline())
        ]
        return workers or [self.proc.pid]

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
