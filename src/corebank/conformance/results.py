"""Check results, the failure a check raises, and the table and JSON they are printed as."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from enum import StrEnum

import httpx


class Outcome(StrEnum):
    passed = "pass"
    failed = "FAIL"
    skipped = "skip"


class CheckFailed(Exception):
    """A check's expectation did not hold; `response` is the request that showed it."""

    def __init__(self, reason: str, response: httpx.Response | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.response = response


class Skipped(Exception):
    """The check cannot run here (read-only, a precondition missing); not a failure."""


@dataclass(frozen=True)
class Result:
    name: str
    outcome: Outcome
    reason: str = ""
    request: str = ""


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Told of each check as it ends (the command's progress line).
    on_check: Callable[[int], None] | None = None

    def add(self, result: Result) -> None:
        self.results.append(result)
        if self.on_check is not None:
            self.on_check(1)

    @property
    def failed(self) -> list[Result]:
        return [result for result in self.results if result.outcome is Outcome.failed]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    @contextmanager
    def check(self, name: str) -> Iterator[None]:
        """Run the block as the check `name`: it passes unless it raises."""
        try:
            yield
        except CheckFailed as failure:
            self.add(Result(name, Outcome.failed, failure.reason, describe(failure.response)))
        except Skipped as skip:
            self.skip(name, str(skip))
        except httpx.HTTPError as error:
            request = f"{error.request.method} {error.request.url.path}" if _has(error) else ""
            self.add(Result(name, Outcome.failed, f"{type(error).__name__}: {error}", request))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            # An answer of an unexpected shape is the deployment's failure, not a crash.
            reason = f"unexpected answer: {type(error).__name__} {error}"
            self.add(Result(name, Outcome.failed, reason))
        else:
            self.add(Result(name, Outcome.passed))

    def skip(self, name: str, reason: str) -> None:
        self.add(Result(name, Outcome.skipped, reason))


def _has(error: httpx.HTTPError) -> bool:
    try:
        return error.request is not None
    except RuntimeError:
        return False


def describe(response: httpx.Response | None) -> str:
    """`METHOD /path -> status` of the request behind a failure (no query, no body)."""
    if response is None:
        return ""
    return f"{response.request.method} {response.request.url.path} -> {response.status_code}"


def render_table(report: Report) -> str:
    """The results as a plain-text table, then a summary line."""
    rows = [(r.name, r.outcome.value, r.request, r.reason) for r in report.results]
    headers = ("check", "result", "request", "reason")
    widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(3)]
    lines = [_row(headers, widths), _row((*("-" * w for w in widths), "------"), widths)]
    lines += [_row(row, widths) for row in rows]
    lines += [f"note: {note}" for note in report.notes]
    counts = {outcome: 0 for outcome in Outcome}
    for result in report.results:
        counts[result.outcome] += 1
    lines.append(
        f"{counts[Outcome.passed]} passed, {counts[Outcome.failed]} failed, "
        f"{counts[Outcome.skipped]} skipped"
    )
    return "\n".join(lines)


def _row(cells: tuple[str, ...], widths: list[int]) -> str:
    padded = [cell.ljust(width) for cell, width in zip(cells, widths, strict=False)]
    return "  ".join([*padded, *cells[len(widths) :]]).rstrip()


def render_json(report: Report) -> str:
    """For machines: `{"ok", "results": [{name, outcome, reason, request}], "notes"}`."""
    return json.dumps(
        {
            "ok": not report.failed,
            "results": [asdict(result) for result in report.results],
            "notes": report.notes,
        },
        indent=2,
    )
