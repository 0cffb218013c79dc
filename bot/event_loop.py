"""The event loop every command runs on: uvloop where it exists (Linux, macOS), else asyncio's.

Each database call is a hand-off to aiosqlite's thread and back; uvloop wakes the loop for
the way back ~25% faster than asyncio's selector loop on the 2-core VM (145-170 µs against
180-260 µs per call, scripts/bench_engine.py), which is most of a conversation turn's cost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop  # noqa: PLC0415
    except ImportError:  # Windows
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)
