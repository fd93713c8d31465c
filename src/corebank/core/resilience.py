"""An asyncio-native circuit breaker and a tenacity-based retry helper."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from types import TracebackType
from typing import Literal, Self, TypeVar

import structlog
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

T = TypeVar("T")
State = Literal["closed", "open", "half_open"]
CLOSED: State = "closed"
OPEN: State = "open"
HALF_OPEN: State = "half_open"

_HALF_OPEN_RETRY_AFTER = 1.0
_calls: ContextVar[tuple[tuple[object, int], ...]] = ContextVar("breaker_calls", default=())
log = structlog.get_logger(__name__)


class CircuitOpenError(Exception):
    """Raised instead of calling a dependency whose circuit is open."""

    def __init__(self, name: str, retry_after: float) -> None:
        super().__init__(f"circuit {name!r} is open; retry after {retry_after:.1f}s")
        self.name = name
        self.retry_after = retry_after


class CircuitBreaker:
    """Closed/open/half-open circuit breaker used as `async with breaker:` around a call."""

    def __init__(
        self,
        name: str,
        *,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        half_open_max_calls: int = 1,
        is_failure: Callable[[BaseException], bool] = lambda e: True,
        clock: Callable[[], float] = time.monotonic,
        on_state_change: Callable[[str, str, str], None] | None = None,
    ) -> None:
        if failure_threshold < 1 or half_open_max_calls < 1 or reset_timeout < 0:
            raise ValueError("breaker thresholds must be positive")
        self.name = name
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.half_open_max_calls = half_open_max_calls
        self._is_failure = is_failure
        self._clock = clock
        self._on_state_change = on_state_change
        self._state: State = CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probes = 0
        self._generation = 0

    @property
    def state(self) -> State:
        """Current state; an open circuit whose timeout has elapsed reports half_open."""
        if self._state == OPEN and self._clock() - self._opened_at >= self.reset_timeout:
            self._transition(HALF_OPEN)
        return self._state

    @property
    def failure_count(self) -> int:
        """Consecutive counted failures since the last success or close."""
        return self._failures

    def retry_after(self) -> float:
        """Seconds until a call may be let through again (0.0 when one would be now)."""
        state = self.state
        if state == OPEN:
            return max(0.0, self._opened_at + self.reset_timeout - self._clock())
        if state == HALF_OPEN and self._probes >= self.half_open_max_calls:
            return min(_HALF_OPEN_RETRY_AFTER, self.reset_timeout)
        return 0.0

    async def __aenter__(self) -> Self:
        """Admit the call or raise CircuitOpenError without calling the dependency."""
        state = self.state
        if state == OPEN or (state == HALF_OPEN and self._probes >= self.half_open_max_calls):
            raise CircuitOpenError(self.name, self.retry_after())
        if state == HALF_OPEN:
            self._probes += 1
        _calls.set((*_calls.get(), (self, self._generation)))
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Record the outcome of the call; never suppresses or converts its exception."""
        if self._pop_generation() != self._generation:
            return
        if exc is None:
            self._record_success()
        elif isinstance(exc, Exception) and self._is_failure(exc):
            self._record_failure()
        elif self._state == HALF_OPEN:
            self._probes -= 1

    def _pop_generation(self) -> int:
        """Remove this task's innermost call to this breaker and return its generation."""
        calls = _calls.get()
        for index in range(len(calls) - 1, -1, -1):
            if calls[index][0] is self:
                _calls.set(calls[:index] + calls[index + 1 :])
                return calls[index][1]
        return -1

    def _record_success(self) -> None:
        """Close a half-open circuit, or reset the failure count of a closed one."""
        self._failures = 0
        if self._state == HALF_OPEN:
            self._transition(CLOSED)

    def _record_failure(self) -> None:
        """Count a failure and open the circuit when a probe fails or the threshold is hit."""
        self._failures += 1
        if self._state == HALF_OPEN or self._failures >= self.failure_threshold:
            self._transition(OPEN)

    def _transition(self, new: State) -> None:
        """Move to a new state, start a new generation and report the change."""
        old, self._state = self._state, new
        self._generation += 1
        self._probes = 0
        if new == OPEN:
            self._opened_at = self._clock()
        if new == CLOSED:
            self._failures = 0
        if self._on_state_change is not None:
            try:
                self._on_state_change(self.name, old, new)
            except Exception:
                log.exception("breaker.callback_failed", breaker=self.name, old=old, new=new)


def _retryable(exc: BaseException, retry_on: Callable[[BaseException], bool]) -> bool:
    """Return whether an exception may be retried; cancellation never is."""
    return isinstance(exc, Exception) and retry_on(exc)


async def retry_async(
    fn: Callable[[], Awaitable[T]],
    *,
    attempts: int = 3,
    retry_on: Callable[[BaseException], bool],
    base_delay: float = 0.05,
    max_delay: float = 1.0,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Await fn, retrying errors that retry_on accepts with jittered exponential backoff."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    retrying = AsyncRetrying(
        stop=stop_after_attempt(attempts),
        wait=wait_exponential_jitter(multiplier=base_delay, max=max_delay, jitter=base_delay),
        retry=retry_if_exception(lambda exc: _retryable(exc, retry_on)),
        reraise=True,
        sleep=sleep,
    )

    async def attempt() -> T:
        # Tenacity awaits only coroutine functions; a lambda returning a coroutine would
        # otherwise come back unawaited.
        return await fn()

    return await retrying(attempt)
