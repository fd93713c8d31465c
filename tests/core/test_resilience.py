"""Tests for the asyncio circuit breaker and the retry helper."""

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from structlog.testing import capture_logs

from corebank.core.resilience import CircuitBreaker, CircuitOpenError, retry_async


class FakeClock:
    """A manually advanced monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Boom(Exception):
    """A dependency failure."""


class NotFoundError(Exception):
    """A client error that says nothing about the dependency's health."""


def make_breaker(
    clock: FakeClock, transitions: list[tuple[str, str, str]] | None = None, **kwargs: object
) -> CircuitBreaker:
    """Build a breaker on the fake clock that ignores NotFoundError."""
    options: dict[str, object] = {
        "failure_threshold": 3,
        "reset_timeout": 10.0,
        "is_failure": lambda exc: not isinstance(exc, NotFoundError),
        "clock": clock,
        "on_state_change": None if transitions is None else lambda *t: transitions.append(t),
    }
    options.update(kwargs)
    return CircuitBreaker("db", **options)  # type: ignore[arg-type]


async def fail(breaker: CircuitBreaker, exc: BaseException | None = None) -> None:
    """Run one failing call through the breaker."""
    with pytest.raises(type(exc or Boom())):
        async with breaker:
            raise exc or Boom()


async def succeed(breaker: CircuitBreaker) -> None:
    """Run one successful call through the breaker."""
    async with breaker:
        pass


async def open_breaker(breaker: CircuitBreaker) -> None:
    """Trip the breaker with threshold failures."""
    for _ in range(breaker.failure_threshold):
        await fail(breaker)
    assert breaker.state == "open"


async def test_starts_closed() -> None:
    breaker = make_breaker(FakeClock())
    assert breaker.state == "closed"
    assert breaker.failure_count == 0
    assert breaker.retry_after() == 0.0
    await succeed(breaker)


async def test_opens_after_threshold_consecutive_failures() -> None:
    breaker = make_breaker(FakeClock())
    await fail(breaker)
    await fail(breaker)
    assert breaker.state == "closed" and breaker.failure_count == 2
    await fail(breaker)
    assert breaker.state == "open" and breaker.failure_count == 3


async def test_original_exception_propagates_unchanged() -> None:
    breaker = make_breaker(FakeClock())
    error = Boom("original")
    for _ in range(3):
        with pytest.raises(Boom) as caught:
            async with breaker:
                raise error
        assert caught.value is error


async def test_success_resets_consecutive_failures() -> None:
    breaker = make_breaker(FakeClock())
    await fail(breaker)
    await fail(breaker)
    await succeed(breaker)
    assert breaker.failure_count == 0
    await fail(breaker)
    await fail(breaker)
    assert breaker.state == "closed"


async def test_open_fails_fast_with_retry_after() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    await open_breaker(breaker)
    clock.advance(4.0)
    called = False
    with pytest.raises(CircuitOpenError) as caught:
        async with breaker:
            called = True
    assert not called
    assert caught.value.name == "db"
    assert caught.value.retry_after == pytest.approx(6.0)
    assert breaker.retry_after() == pytest.approx(6.0)


async def test_half_open_after_timeout_and_probe_success_closes() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    await open_breaker(breaker)
    clock.advance(10.0)
    assert breaker.state == "half_open"
    assert breaker.retry_after() == 0.0
    await succeed(breaker)
    assert breaker.state == "closed" and breaker.failure_count == 0


async def test_probe_failure_reopens_with_fresh_timeout() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    await open_breaker(breaker)
    clock.advance(11.0)
    await fail(breaker)
    assert breaker.state == "open"
    assert breaker.retry_after() == pytest.approx(10.0)
    clock.advance(9.9)
    with pytest.raises(CircuitOpenError):
        await succeed(breaker)
    clock.advance(0.1)
    assert breaker.state == "half_open"


async def test_only_half_open_max_calls_probes_run_concurrently() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock, half_open_max_calls=2)
    await open_breaker(breaker)
    clock.advance(10.0)
    release = asyncio.Event()
    entered = 0

    async def probe() -> None:
        nonlocal entered
        async with breaker:
            entered += 1
            await release.wait()

    probes = [asyncio.create_task(probe()) for _ in range(2)]
    await asyncio.sleep(0)
    assert entered == 2
    with pytest.raises(CircuitOpenError) as caught:
        await succeed(breaker)
    assert caught.value.retry_after > 0
    release.set()
    await asyncio.gather(*probes)
    assert breaker.state == "closed"
    await succeed(breaker)


async def test_ignored_exceptions_do_not_count_or_reset() -> None:
    breaker = make_breaker(FakeClock())
    await fail(breaker)
    await fail(breaker)
    for _ in range(5):
        await fail(breaker, NotFoundError())
    assert breaker.state == "closed" and breaker.failure_count == 2
    await fail(breaker)
    assert breaker.state == "open"


async def test_ignored_exception_in_probe_frees_the_slot() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    await open_breaker(breaker)
    clock.advance(10.0)
    await fail(breaker, NotFoundError())
    assert breaker.state == "half_open"
    await succeed(breaker)
    assert breaker.state == "closed"


async def test_cancelled_error_is_not_a_failure_and_propagates() -> None:
    breaker = make_breaker(FakeClock(), failure_threshold=1)
    for _ in range(3):
        with pytest.raises(asyncio.CancelledError):
            async with breaker:
                raise asyncio.CancelledError()
    assert breaker.state == "closed" and breaker.failure_count == 0


async def test_cancelling_a_task_inside_the_breaker() -> None:
    breaker = make_breaker(FakeClock(), failure_threshold=1)
    started = asyncio.Event()

    async def slow_call() -> None:
        async with breaker:
            started.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(slow_call())
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert breaker.state == "closed" and breaker.failure_count == 0


async def test_cancelled_probe_frees_the_slot() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    await open_breaker(breaker)
    clock.advance(10.0)
    await fail(breaker, asyncio.CancelledError())
    assert breaker.state == "half_open"
    await succeed(breaker)
    assert breaker.state == "closed"


async def test_on_state_change_reports_every_transition() -> None:
    clock = FakeClock()
    transitions: list[tuple[str, str, str]] = []
    breaker = make_breaker(clock, transitions)
    await open_breaker(breaker)
    clock.advance(10.0)
    await fail(breaker)
    clock.advance(10.0)
    await succeed(breaker)
    assert transitions == [
        ("db", "closed", "open"),
        ("db", "open", "half_open"),
        ("db", "half_open", "open"),
        ("db", "open", "half_open"),
        ("db", "half_open", "closed"),
    ]


async def test_failing_callback_does_not_break_the_breaker() -> None:
    def broken(name: str, old: str, new: str) -> None:
        raise RuntimeError("metrics down")

    breaker = make_breaker(FakeClock(), on_state_change=broken)
    with capture_logs() as logs:
        for _ in range(3):
            await fail(breaker)
    assert breaker.state == "open"
    (entry,) = logs
    assert entry["event"] == "breaker.callback_failed"
    assert entry["log_level"] == "error"
    assert entry["exc_info"] is True
    assert (entry["breaker"], entry["old"], entry["new"]) == ("db", "closed", "open")


async def test_calls_started_before_opening_do_not_affect_the_new_state() -> None:
    clock = FakeClock()
    breaker = make_breaker(clock)
    release = asyncio.Event()

    async def slow_success() -> None:
        async with breaker:
            await release.wait()

    task = asyncio.create_task(slow_success())
    await asyncio.sleep(0)
    await open_breaker(breaker)
    clock.advance(10.0)
    assert breaker.state == "half_open"
    release.set()
    await task
    assert breaker.state == "half_open"


async def test_breakers_nest_independently() -> None:
    outer = make_breaker(FakeClock())
    inner = make_breaker(FakeClock(), failure_threshold=1)
    async with outer:
        await fail(inner)
    assert inner.state == "open"
    assert outer.state == "closed" and outer.failure_count == 0


@pytest.mark.parametrize(
    "kwargs", [{"failure_threshold": 0}, {"half_open_max_calls": 0}, {"reset_timeout": -1.0}]
)
def test_invalid_settings_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        CircuitBreaker("db", **kwargs)  # type: ignore[arg-type]


class FakeSleep:
    """Records requested delays instead of sleeping."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def flaky(
    failures: list[BaseException], result: str = "ok"
) -> tuple[list[int], Callable[[], Awaitable[str]]]:
    """Return a call counter and a coroutine function raising the given errors, then succeeding."""
    calls = [0]

    async def call() -> str:
        calls[0] += 1
        if failures:
            raise failures.pop(0)
        return result

    return calls, call


def is_transient(exc: BaseException) -> bool:
    """Retry only Boom."""
    return isinstance(exc, Boom)


async def test_retry_retries_transient_error_then_succeeds() -> None:
    sleep = FakeSleep()
    calls, call = flaky([Boom(), Boom()])
    result = await retry_async(call, retry_on=is_transient, sleep=sleep)
    assert result == "ok" and calls[0] == 3
    assert len(sleep.delays) == 2
    assert all(0 < delay <= 1.0 for delay in sleep.delays)


async def test_retry_stops_after_attempts_and_reraises_last_error() -> None:
    sleep = FakeSleep()
    last = Boom("third")
    calls, call = flaky([Boom("first"), Boom("second"), last, Boom("fourth")])
    with pytest.raises(Boom) as caught:
        await retry_async(call, retry_on=is_transient, sleep=sleep)
    assert caught.value is last
    assert calls[0] == 3 and len(sleep.delays) == 2


async def test_retry_does_not_retry_non_matching_errors() -> None:
    sleep = FakeSleep()
    calls, call = flaky([NotFoundError()])
    with pytest.raises(NotFoundError):
        await retry_async(call, retry_on=is_transient, sleep=sleep)
    assert calls[0] == 1 and sleep.delays == []


async def test_retry_never_retries_cancellation() -> None:
    sleep = FakeSleep()
    calls, call = flaky([asyncio.CancelledError()])
    with pytest.raises(asyncio.CancelledError):
        await retry_async(call, retry_on=lambda exc: True, sleep=sleep)
    assert calls[0] == 1 and sleep.delays == []


async def test_retry_delays_grow_and_are_capped() -> None:
    sleep = FakeSleep()
    calls, call = flaky([Boom() for _ in range(9)])
    await retry_async(
        call,
        attempts=10,
        retry_on=is_transient,
        base_delay=0.1,
        max_delay=0.5,
        sleep=sleep,
    )
    assert calls[0] == 10
    assert 0.1 <= sleep.delays[0] <= 0.2
    assert all(delay <= 0.5 for delay in sleep.delays)
    assert sleep.delays[-1] == 0.5


async def test_retry_with_default_sleep_is_quick_for_small_delays() -> None:
    calls, call = flaky([Boom()])
    result = await retry_async(call, retry_on=is_transient, base_delay=0.001, max_delay=0.01)
    assert result == "ok" and calls[0] == 2


async def test_retry_refuses_zero_attempts() -> None:
    calls, call = flaky([])
    with pytest.raises(ValueError):
        await retry_async(call, attempts=0, retry_on=is_transient)
    assert calls[0] == 0


async def test_retry_async_awaits_a_lambda_returning_a_coroutine() -> None:
    calls = []

    async def work(value: int) -> int:
        calls.append(value)
        if len(calls) < 2:
            raise ConnectionError("transient")
        return value * 2

    result = await retry_async(
        lambda: work(21),
        attempts=3,
        retry_on=lambda e: isinstance(e, ConnectionError),
        base_delay=0.001,
    )
    assert result == 42
    assert calls == [21, 21]
