"""How fast the rate limiter picks the next send with a backlog (outreach/limiter.py).

N acquirers wait at once on one RateLimiter with a fake clock whose sleep only moves the clock,
so the run measures the limiter's own work (choosing, granting, waking the one waiter) and no
real waiting. Two backlogs:

- `chats`: N broadcast sends to N different chats, 25/s, one message a second per chat
  (Telegram's limits), the broadcast worker's backlog;
- `replies`: N interactive replies to N/4 chats (four to each chat, a second apart) behind 50
  queued broadcast sends, the webhook's backlog in a burst.

Each runs against the code before (`git show REV:outreach/limiter.py`, loaded as a temporary
module) and the working tree's, one after the other in this process, and checks both granted
the same waiters at the same fake times in the same order.

    PYTHONPATH=. .venv/bin/python scripts/bench_limiter.py --sizes 500,2000,5000
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

from outreach import limiter as after_module

ROOT = Path(__file__).resolve().parent.parent
BEFORE = "f25b510"  # the last commit with the scanning limiter


class Clock:
    def __init__(self) -> None:
        self.now_ = datetime(2026, 12, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.now_


def load_before(rev: str) -> ModuleType:
    source = subprocess.run(["git", "show", f"{rev}:outreach/limiter.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(source)
    spec = importlib.util.spec_from_file_location("limiter_before", handle.name)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the limiter of {rev}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["limiter_before"] = module
    spec.loader.exec_module(module)
    Path(handle.name).unlink()
    return module


async def drain(module: Any, scenario: str, n: int) -> tuple[float, float, list[Any]]:
    clock = Clock()

    async def sleep(seconds: float) -> None:
        clock.now_ += timedelta(seconds=seconds)
        await asyncio.sleep(0)

    limiter = module.RateLimiter(25, clock=clock, sleep=sleep, per_key_interval=1.0)
    order: list[Any] = []

    async def one(key: str, priority: Any, name: int) -> None:
        await limiter.acquire(key, priority)
        order.append((name, clock.now_.timestamp()))

    P = module.Priority
    if scenario == "chats":
        jobs = [(f"chat-{i}", P.BULK) for i in range(n)]
    else:
        jobs = [(f"bulk-{i}", P.BULK) for i in range(50)]
        jobs += [(f"chat-{i % max(1, n // 4)}", P.INTERACTIVE) for i in range(n)]
    tasks = [asyncio.ensure_future(one(key, priority, i))
             for i, (key, priority) in enumerate(jobs)]
    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*tasks)
    return time.perf_counter() - wall, time.process_time() - cpu, order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="500,2000,5000")
    parser.add_argument("--before", default=BEFORE, help="git revision of the old limiter")
    args = parser.parse_args()
    before = load_before(args.before)
    print("| backlog | waiters | before: grants/s, CPU µs/grant | after: grants/s, "
          "CPU µs/grant |")
    print("| --- | ---: | ---: | ---: |")
    for scenario in ("chats", "replies"):
        for n in (int(size) for size in args.sizes.split(",")):
            results = [asyncio.run(drain(module, scenario, n))
                       for module in (before, after_module)]
            if results[0][2] != results[1][2]:
                raise SystemExit("the two limiters granted differently")
            cells = [f"{len(order) / wall:,.0f}, {cpu / len(order) * 1e6:,.0f}"
                     for wall, cpu, order in results]
            print(f"| {scenario} | {n:,} | {cells[0]} | {cells[1]} |", flush=True)


if __name__ == "__main__":
    main()
