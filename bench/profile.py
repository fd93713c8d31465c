"""Summarise py-spy's raw (collapsed-stack) output: where the server's CPU time goes.

`python -m bench.profile FILE.txt [--top 25]` prints, as Markdown: the share of samples by
component (inclusive: a sample counts for every component on its stack), the hottest functions
by own time, and the corebank functions by inclusive time. `bench.run --profile` records the
files (py-spy record --format raw) while wrk drives one account read and one transfer scenario.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

#: Component -> path fragments of its frames, in priority order for own-time attribution.
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "corebank: auth dependency (token, session, user)",
        ("corebank/identity/deps.py", "corebank/identity/sessions.py"),
    ),
    ("corebank: request middleware (context, access log)", ("corebank/core/middleware.py",)),
    ("corebank: metrics (prometheus observers)", ("corebank/core/metrics.py", "prometheus_client")),
    ("corebank: Database.session/transaction wrapper", ("corebank/core/db.py",)),
    ("corebank: audit chain", ("corebank/core/audit.py",)),
    (
        "corebank: idempotency",
        ("corebank/ledger/idempotency.py", "corebank/ledger/idempotency_repository.py"),
    ),
    ("logging (structlog, stdlib logging)", ("structlog", "/logging/")),
    ("SQLAlchemy ORM (session, identity map, loading)", ("sqlalchemy/orm",)),
    ("SQLAlchemy Core (compile, execute, result)", ("sqlalchemy/sql", "sqlalchemy/engine")),
    ("SQLAlchemy pool (checkout, pre-ping, reset)", ("sqlalchemy/pool",)),
    (
        "SQLAlchemy asyncio/greenlet bridge",
        (
            "sqlalchemy/ext/asyncio",
            "sqlalchemy/util/_concurrency",
            "greenlet",
            "sqlalchemy/dialects/postgresql/asyncpg",
        ),
    ),
    ("asyncpg driver", ("asyncpg/",)),
    ("pydantic (validation, serialisation)", ("pydantic",)),
    ("anyio worker-thread hops (sync dependencies)", ("anyio/",)),
    ("FastAPI (routing, dependencies, encoding)", ("fastapi/",)),
    ("Starlette (routing, middleware, responses)", ("starlette/",)),
    ("JWT (PyJWT)", ("jwt/",)),
    ("uvicorn / httptools protocol", ("uvicorn/", "httptools")),
    ("asyncio / uvloop event loop", ("asyncio/", "uvloop")),
)
_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


@dataclass(frozen=True)
class Frame:
    func: str
    file: str

    @property
    def label(self) -> str:
        path = self.file
        for marker in ("site-packages/", "/src/", "/lib/python3.11/"):
            if marker in path:
                path = path.split(marker, 1)[1]
                break
        return f"{self.func} ({path})"


def parse(lines: Iterable[str]) -> list[tuple[list[Frame], int]]:
    """py-spy raw lines: `frame;frame;...;leaf COUNT` (outermost first)."""
    stacks = []
    for line in lines:
        line = line.rstrip("\n")
        if not line or " " not in line:
            continue
        stack, _, count = line.rpartition(" ")
        frames = []
        for part in stack.split(";"):
            match = _FRAME.match(part)
            frames.append(
                Frame(match.group("func"), match.group("file")) if match else Frame(part, "")
            )
        stacks.append((frames, int(count)))
    return stacks


def component_of(frame: Frame) -> str | None:
    for name, fragments in COMPONENTS:
        if any(fragment in frame.file for fragment in fragments):
            return name
    if "corebank/" in frame.file:
        return "corebank: other (services, schemas, repositories)"
    return None


_THREAD = re.compile(r"^thread \(\d+\): (?P<name>.*)$")
#: Leaf frames that mean "waiting": the event loop in uvloop's poll (its Python frame is
#: asyncio's Runner.run), and idle worker threads.
_IDLE_LEAVES = (
    "Runner.run (",
    "Condition.wait (",
    "Event.wait (",
    "_worker (",
    "EpollSelector.select (",
)


def thread_of(frames: Sequence[Frame]) -> str:
    """The thread name from `py-spy record --threads` (the root frame), else 'all'."""
    match = _THREAD.match(frames[0].func) if frames else None
    if match is None:
        return "all"
    name = match.group("name")
    if name.startswith("bench-"):
        return "bench"  # the bench's own helper thread (bench/gcwatch), not the app
    return "main" if name == "MainThread" else "worker"


def is_idle(frames: Sequence[Frame]) -> bool:
    leaf = frames[-1].label if frames else ""
    return leaf.startswith(_IDLE_LEAVES) or _THREAD.match(frames[-1].func) is not None


def summarise(stacks: list[tuple[list[Frame], int]], *, top: int = 25) -> str:
    """Markdown tables: busy share per thread kind, components, functions (of busy samples)."""
    threads: Counter[tuple[str, bool]] = Counter()
    busy: list[tuple[list[Frame], int]] = []
    for frames, n in stacks:
        kind = thread_of(frames)
        if kind == "bench":
            continue
        idle = is_idle(frames)
        threads[(kind, idle)] += n
        if not idle:
            busy.append((frames, n))
    total = sum(n for _, n in busy)
    if not total:
        return "no busy samples\n"
    inclusive: Counter[str] = Counter()
    own_component: Counter[str] = Counter()
    own: Counter[str] = Counter()
    corebank_incl: Counter[str] = Counter()
    for frames, n in busy:
        for name in {c for f in frames if (c := component_of(f))}:
            inclusive[name] += n
        for label in {f.label for f in frames if "corebank/" in f.file}:
            corebank_incl[label] += n
        leaf = frames[-1]
        own[leaf.label] += n
        own_component[component_of(leaf) or "other (C extensions, stdlib)"] += n
    kinds = sorted({kind for kind, _ in threads})
    shares = ", ".join(
        f"{kind} thread(s) busy {threads[(kind, False)]} / idle {threads[(kind, True)]}"
        for kind in kinds
    )
    lines = [
        f"{total} busy samples ({shares}). Percentages are of busy samples.",
        "",
        "| component | inclusive % | own % |",
        "|---|---:|---:|",
    ]
    names = sorted(set(inclusive) | set(own_component), key=lambda c: -inclusive.get(c, 0))
    for name in names:
        lines.append(
            f"| {name} | {100 * inclusive.get(name, 0) / total:.1f} | "
            f"{100 * own_component.get(name, 0) / total:.1f} |"
        )
    lines += ["", f"Top {top} functions by own time:", "", "| function | own % |", "|---|---:|"]
    for label, n in own.most_common(top):
        lines.append(f"| `{label}` | {100 * n / total:.1f} |")
    lines += [
        "",
        f"Top {top} corebank functions by inclusive time:",
        "",
        "| function | inclusive % |",
        "|---|---:|",
    ]
    for label, n in corebank_incl.most_common(top):
        lines.append(f"| `{label}` | {100 * n / total:.1f} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args(argv)
    for path in args.files:
        sys.stdout.write(f"## {path.name}\n\n")
        sys.stdout.write(summarise(parse(path.read_text().splitlines()), top=args.top) + "\n")


if __name__ == "__main__":
    main()
