"""What the numbers were measured on: CPU, memory, OS, database settings, library versions."""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
from importlib import metadata
from typing import Any

import asyncpg
import psutil

PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "pydantic",
    "sqlalchemy",
    "asyncpg",
    "aiosqlite",
    "structlog",
    "prometheus-client",
    "pyjwt",
    "argon2-cffi",
    "pwdlib",
    "orjson",
)
PG_SETTINGS = (
    "server_version",
    "shared_buffers",
    "max_connections",
    "synchronous_commit",
    "fsync",
    "wal_sync_method",
    "work_mem",
    "effective_cache_size",
    "jit",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _tool_version(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    return (
        (done.stdout or done.stderr).splitlines()[0].strip() if (done.stdout or done.stderr) else ""
    )


async def _pg_settings(dsn: str) -> dict[str, str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])",
            list(PG_SETTINGS),
        )
    finally:
        await conn.close()
    values = {}
    for row in rows:
        setting, unit = row["setting"], row["unit"]
        if unit == "8kB":
            setting = f"{int(setting) * 8 // 1024} MB"
        elif unit == "kB":
            setting = f"{int(setting) // 1024} MB"
        values[row["name"]] = setting
    return values


def describe(pg_dsn: str | None) -> dict[str, Any]:
    """Everything worth printing next to the results."""
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "-"
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "packages": versions,
        "wrk": _tool_version(["wrk", "--version"]),
        "pgbench": _tool_version(["pgbench", "--version"]),
        "load_average": os.getloadavg(),
    }
    if pg_dsn:
        info["postgres"] = asyncio.run(_pg_settings(pg_dsn))
    return info
