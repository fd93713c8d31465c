"""Outcome counts of a sink (webhook deliveries, the broker stream), and hooks told of each."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import structlog

log = structlog.get_logger(__name__)


class OutcomeCounts:
    """Counts each outcome in the process; `outcome_hooks` (the metrics) are told of each, and
    a failing hook is logged, never raised into the sink."""

    def __init__(self, name: str) -> None:
        self.outcomes: Counter[str] = Counter()
        self.outcome_hooks: list[Callable[[str], None]] = []
        self._name = name

    def record_outcome(self, outcome: str) -> None:
        self.outcomes[outcome] += 1
        for hook in self.outcome_hooks:
            try:
                hook(outcome)
            except Exception:
                log.exception(f"{self._name}.outcome_hook_failed")
