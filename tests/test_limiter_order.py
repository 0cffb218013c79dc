"""The limiter's heaps pick exactly the waiter the old scan of every waiter picked.

`ScanLimiter` chooses as outreach/limiter.py did before the heaps: the smallest
(priority, max(ready_at, now), arrival) over every waiting acquirer. Random backlogs (chats
repeated, priorities mixed, arrivals while others wait, cancellations, "too many requests"
holds) must be granted in the same order at the same fake times by both.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import pytest

from outreach.limiter import Priority, RateLimiter, _Waiter
from tests.support.clock import FakeClock


class ScanLimiter(RateLimiter):
    def _choose(self, now: float) -> _Waiter:
        waiting: dict[int, _Waiter] = {}
        for queue in self._queues.values():
            waiting.update((id(w), w) for _, w in queue.free)
            waiting.update((id(w), w) for _, _, w in queue.busy)
            for line in queue.lines.values():
                waiting.update((id(w), w) for w in line)
        return min((w for w in waiting.values() if w.waiting),
                   key=lambda w: (w.priority, max(self._ready_at(w), now), w.seq))


def fake_sleep(clock: FakeClock) -> Callable[[float], Awaitable[None]]:
    """Moves the fake clock by at least a microsecond (its resolution): a wait of a fraction
    of one (float rounding of ready times) would otherwise never end."""
    async def sleep(seconds: float) -> None:
        clock.advance(seconds=max(seconds, 1e-6))
        await asyncio.sleep(0)
    return sleep


async def run(kind: type[RateLimiter], seed: int) -> list[tuple[str, float]]:
    rng = random.Random(seed)
    clock = FakeClock()
    start = clock.now().timestamp()
    limiter = kind(rng.choice([2, 10, 25]), clock=clock, sleep=fake_sleep(clock),
                   per_key_interval=rng.choice([0.0, 1.0, 3.0]), burst=rng.choice([1, 3]))
    log: list[tuple[str, float]] = []

    async def one(name: str, key: str | None, priority: Priority) -> None:
        await limiter.acquire(key, priority)
        log.append((name, round(clock.now().timestamp() - start, 6)))

    tasks: list[asyncio.Task[None]] = []
    for step in range(rng.randint(20, 120)):
        key = rng.choice([None, *(f"c{i}" for i in range(rng.choice([1, 3, 8, 40])))])
        name = f"{step}:{key}"
        tasks.append(asyncio.create_task(one(name, key, rng.choice(list(Priority)))))
        roll = rng.random()
        if roll < 0.3:
            for _ in range(rng.randint(1, 4)):
                await asyncio.sleep(0)  # let the pump grant some meanwhile
        elif roll < 0.4:
            rng.choice(tasks).cancel()
        elif roll < 0.42:
            limiter.hold_off(rng.choice([0.5, 2.0]))
    await asyncio.gather(*tasks, return_exceptions=True)
    return log


@pytest.mark.parametrize("seed", range(40))
async def test_heaps_grant_as_the_scan_did(seed: int) -> None:
    scanned = await run(ScanLimiter, seed)
    assert scanned  # the scenario granted something
    assert await run(RateLimiter, seed) == scanned
