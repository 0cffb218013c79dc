"""Senders' limits counted in a real Redis across processes (outreach/shared_limit.py).

Two `RateLimiter`s with a `SharedStore` each stand for two processes (each has its own Redis
connections, as separate processes would). The checks are about which sends the limit lets
through and in what order, on the system clock; none asserts how fast anything is.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from core.clock import SystemClock
from core.settings import Settings, load_settings
from outreach.limiter import Priority, RateLimiter
from outreach.shared_limit import SharedStore, SharedWindow, window_of
from outreach.worker import OutreachWorker, build_limiters, close_limiters

# A send time may be seen a little late (event loop, clock reads): windows are checked a
# little shorter than a second.
SLACK = 0.05


def most_in_any_window(times: list[float], seconds: float = 1.0 - SLACK) -> int:
    """The most sends in any window of `seconds` (starting at a send)."""
    times = sorted(times)
    best, end = 0, 0
    for start, t in enumerate(times):
        while end < len(times) and times[end] < t + seconds:
            end += 1
        best = max(best, end - start)
    return best


@pytest.fixture
async def process_pair(redis_env: dict[str, str]) -> AsyncIterator[
        Callable[..., tuple[RateLimiter, RateLimiter]]]:
    """make(rate, per_key=0, share=0.1): two limiters of one sender, as in two processes."""
    stores: list[SharedStore] = []

    def make(rate: float, per_key: float = 0.0,
             share: float = 0.1) -> tuple[RateLimiter, RateLimiter]:
        pair = []
        for _ in range(2):
            store = SharedStore(redis_env["SPI_REDIS_URL"], redis_env["SPI_REDIS_KEY_PREFIX"])
            stores.append(store)
            window = SharedWindow(store, "whatsapp/test", rate, per_key_seconds=per_key,
                                  reply_share=share)
            pair.append(RateLimiter(rate, clock=SystemClock(), per_key_interval=per_key,
                                    shared=window))
        return pair[0], pair[1]

    yield make
    for store in stores:
        await store.aclose()


async def granted_at(limiter: RateLimiter, count: int, priority: Priority,
                     times: list[float], key: str | None = None) -> None:
    async def one(i: int) -> None:
        await limiter.acquire(key if key is not None else f"chat-{i}", priority)
        times.append(time.monotonic())

    await asyncio.gather(*(one(i) for i in range(count)))


def test_windows_are_whole_seconds_never_above_the_rate() -> None:
    assert window_of(25) == (25, 1)
    assert window_of(8.5) == (8, 1)  # never 17 in two seconds: 17 could come in one
    assert window_of(0.5) == (1, 2)


async def test_two_processes_together_stay_within_the_rate(
    process_pair: Callable[..., tuple[RateLimiter, RateLimiter]]
) -> None:
    """Broadcasts in two processes, each pacing itself at the full rate: together they never
    pass the rate minus the reserve for replies in any second."""
    first, second = process_pair(10)
    times: list[float] = []
    await asyncio.gather(granted_at(first, 15, Priority.BULK, times),
                         granted_at(second, 15, Priority.BULK, times))
    assert len(times) == 30
    assert most_in_any_window(times) <= 9  # 10 a second, one left to replies
    assert first.granted >= 1 and second.granted >= 1


async def test_a_send_is_stamped_when_redis_counts_it_not_when_it_was_asked(
    redis_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process whose request reached Redis late (event loop busy, machine loaded) must not
    leave an old time in the window: that entry would age out early and let extra sends
    through. Here the client's clock reads half a second behind while the window fills."""
    from limits.aio.storage.redis import redispy

    store = SharedStore(redis_env["SPI_REDIS_URL"], redis_env["SPI_REDIS_KEY_PREFIX"])
    try:
        window = SharedWindow(store, "whatsapp/test", 10)

        class Behind:
            @staticmethod
            def time() -> float:
                return time.time() - 0.5

        monkeypatch.setattr(redispy, "time", Behind)
        for i in range(window.bulk_limit):
            assert await window.try_acquire(f"c{i}", Priority.BULK) == (0.0, False)
        monkeypatch.undo()
        await asyncio.sleep(0.6)  # a window of the stale stamps has passed, not of the sends
        wait, _ = await window.try_acquire("late", Priority.BULK)
        assert wait > 0.2  # still full: the nine sends are 0.6 s old
    finally:
        await store.aclose()


async def test_replies_of_one_process_go_before_broadcasts_of_another(
    process_pair: Callable[..., tuple[RateLimiter, RateLimiter]]
) -> None:
    """Process A has a long broadcast queued; process B's replies all go out while most of
    A's broadcast is still waiting (not after it), and never push the sender over its rate."""
    bulk, replies = process_pair(10)
    bulk_times: list[float] = []
    queued = asyncio.ensure_future(granted_at(bulk, 60, Priority.BULK, bulk_times))
    while bulk.granted < 3:  # noqa: ASYNC110 - the limiter has no event to wait on
        await asyncio.sleep(0.01)
    reply_times: list[float] = []
    for i in range(4):  # one after another, like a conversation
        await granted_at(replies, 1, Priority.INTERACTIVE, reply_times, key=f"c{i}")
    assert bulk.granted < 40, "replies waited behind the other process's broadcast"
    queued.cancel()
    with pytest.raises(asyncio.CancelledError):
        await queued
    assert most_in_any_window(bulk_times + reply_times) <= 10


async def test_one_chat_gets_one_message_a_second_across_processes(
    process_pair: Callable[..., tuple[RateLimiter, RateLimiter]]
) -> None:
    first, second = process_pair(25, per_key=1.0)
    times: list[float] = []
    await granted_at(first, 1, Priority.BULK, times, key="777")
    await granted_at(second, 1, Priority.INTERACTIVE, times, key="777")
    await granted_at(second, 1, Priority.INTERACTIVE, times, key="778")  # another chat: free
    assert times[1] - times[0] >= 1.0 - SLACK
    assert times[2] >= times[1]


async def test_too_many_requests_in_one_process_holds_the_other(
    process_pair: Callable[..., tuple[RateLimiter, RateLimiter]]
) -> None:
    first, second = process_pair(25)
    await first.acquire("a", Priority.BULK)
    held_at = time.monotonic()
    first.hold_off(1.0)  # the provider answered 429, retry after 1 s
    await asyncio.sleep(0.15)  # the hold reaches Redis; the other process sees it
    await second.acquire("b", Priority.INTERACTIVE)
    assert time.monotonic() - held_at >= 1.0 - SLACK


async def test_without_redis_replies_still_go_and_broadcasts_wait() -> None:
    store = SharedStore("redis://127.0.0.1:1/0", "spi-test-down")  # nothing listens there
    try:
        window = SharedWindow(store, "telegram/test", 25)
        limiter = RateLimiter(25, clock=SystemClock(), shared=window)
        await asyncio.wait_for(limiter.acquire("1", Priority.INTERACTIVE), 10)
        bulk = asyncio.ensure_future(limiter.acquire("2", Priority.BULK))
        done, _ = await asyncio.wait({bulk}, timeout=0.5)
        assert not done  # a broadcast never goes faster than its limit for want of Redis
        # The next reply does not ask Redis again (nor wait for it to fail).
        await asyncio.wait_for(limiter.acquire("3", Priority.INTERACTIVE), 10)
        bulk.cancel()
        with pytest.raises(asyncio.CancelledError):
            await bulk
    finally:
        await store.aclose()


def shared_settings(tmp_path: Path, database_url: str | None,
                    redis_env: dict[str, str]) -> Settings:
    return load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                         database_url=database_url, redis_url=redis_env["SPI_REDIS_URL"],
                         redis_key_prefix=redis_env["SPI_REDIS_KEY_PREFIX"])


@pytest.mark.both_backends
async def test_sqlite_keeps_one_worker_and_its_own_limits(
    tmp_path: Path, database_url: str | None, redis_env: dict[str, str]
) -> None:
    """Redis configured: on PostgreSQL the limits are shared and workers send together; on
    SQLite nothing changes (one worker, limits in the process)."""
    settings = shared_settings(tmp_path, database_url, redis_env)
    limiters = build_limiters(settings)
    try:
        shared = {name: lim.shared is not None for name, lim in limiters.items()}
        assert shared == dict.fromkeys(limiters, database_url is not None)
    finally:
        await close_limiters(limiters)
    from bot.app import open_app

    async with open_app(settings) as app:
        worker = OutreachWorker(app.db, settings, app.deps.catalog, app.deps.clock, {},
                                limiters={})
        assert worker.together is (database_url is not None)
