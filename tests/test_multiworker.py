"""`corebank serve --workers 2`: counters are exact across worker processes."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support import free_port

pytestmark = pytest.mark.slow


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    env = os.environ | {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'mw.db'}",
        "ENVIRONMENT": "test",
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_ENABLED": "false",
        "OUTBOX_DISPATCHER_IN_PROCESS": "false",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    command = [sys.executable, "-m", "corebank.cli", "serve", "--workers", "2", "--port", str(port)]
    process = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(
                "server did not start: "
                + (process.stderr.read1().decode() if process.stderr else "")
            )
        yield base, metrics_dir
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stderr:
            process.stderr.close()


def health_count(text: str) -> float:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if (
                sample.name == "corebank_http_requests_total"
                and sample.labels.get("route") == "/health"
                and sample.labels.get("status_class") == "2xx"
            ):
                return sample.value
    return 0.0


def test_counters_sum_across_two_workers(two_workers: tuple[str, Path]) -> None:
    base, metrics_dir = two_workers
    before = health_count(httpx.get(f"{base}/metrics", timeout=5).text)
    sent = 60
    for _ in range(sent):  # a new connection each time, so the kernel spreads them
        with httpx.Client(base_url=base, timeout=5) as client:
            assert client.get("/health").status_code == 200
    after = health_count(httpx.get(f"{base}/metrics", timeout=5).text)
    assert after - before == sent
    pids = {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")}
    assert len(pids) >= 2, pids
