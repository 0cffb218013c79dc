"""Per-channel send pacing shared by broadcasts and interactive replies; replies go first.

Each channel gets one `RateLimiter`: an overall spacing (1/rate seconds between sends, with an
optional small burst) and an optional per-address spacing (Telegram: one message per chat per
second). Waiters are served by priority, then by arrival, among those whose address is free
soonest. Time and sleeping are injected so tests are exact and never sleep.

Waiters park on a future; one pump task picks the next waiter and wakes only that one. The
pick costs O(log n), not a scan of every waiter: per priority, a heap of the waiters whose
address is free (by arrival) and a heap of those whose address is busy (by when it frees), each
address's waiters in a line of their own behind its first one (only the first can go next).

With several processes sending for the same provider sender (PostgreSQL and Redis), the pump
also asks the sender's window in Redis (outreach/shared_limit.py) before letting a send go:
the limits then hold across all processes together, replies keeping a reserve of their own.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING

from core.clock import Clock
from core.messages import Channel
from core.sending import Outbound, Sender, SendError, SendErrorKind, SendReceipt

if TYPE_CHECKING:
    from outreach.shared_limit import SharedWindow

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class Priority(IntEnum):
    INTERACTIVE = 0  # a citizen is waiting for this reply
    ALERT = 1  # staff notifications
    BULK = 2  # broadcasts


@dataclass(eq=False)
class _Waiter:
    priority: int
    seq: int
    key: str | None
    granted: asyncio.Future[None] = field(default_factory=lambda: (
        asyncio.get_running_loop().create_future()))
    waiting: bool = True  # False once granted or cancelled; heaps drop such entries lazily


class _Queue:
    """The waiters of one priority.

    `free` holds (seq, waiter) of waiters that may be next by arrival: those without an
    address and the first waiter of each address. `busy` holds (free_at, seq, waiter) of first
    waiters whose address was busy when last looked at; `free_at` may be older than the
    address's current time (it only grows), so the top is checked before it is trusted. The
    other waiters of an address wait in `lines[address]` behind its first one.
    """

    def __init__(self) -> None:
        self.free: list[tuple[int, _Waiter]] = []
        self.busy: list[tuple[float, int, _Waiter]] = []
        self.lines: dict[str, deque[_Waiter]] = {}
        self.count = 0  # waiters still waiting
        self.stale = 0  # entries of waiters no longer waiting, still in the heaps or lines

    def add(self, waiter: _Waiter) -> None:
        self.count += 1
        if waiter.key is None:
            heapq.heappush(self.free, (waiter.seq, waiter))
            return
        line = self.lines.get(waiter.key)
        if line is None:
            self.lines[waiter.key] = deque([waiter])
            heapq.heappush(self.free, (waiter.seq, waiter))
        else:
            line.append(waiter)

    def remove(self, waiter: _Waiter) -> None:
        """`waiter` was granted or cancelled: the next of its address becomes a candidate."""
        waiter.waiting = False
        self.count -= 1
        self.stale += 1
        if waiter.key is None:
            return
        line = self.lines[waiter.key]
        if line[0] is not waiter:
            return  # it waited behind another: dropped when it comes to the front
        line.popleft()
        while line and not line[0].waiting:
            line.popleft()
            self.stale -= 1
        if line:
            heapq.heappush(self.free, (line[0].seq, line[0]))
        else:
            del self.lines[waiter.key]
        if self.stale > 64 and self.stale > self.count:
            self._compact()

    def _compact(self) -> None:
        """Many cancelled or granted entries left in the heaps: drop them in one pass."""
        self.free = [e for e in self.free if e[1].waiting]
        self.busy = [e for e in self.busy if e[2].waiting]
        heapq.heapify(self.free)
        heapq.heapify(self.busy)
        for key, line in self.lines.items():
            self.lines[key] = deque(w for w in line if w.waiting)
        self.stale = 0

    def choose(self, ready_by: float, key_free: dict[str, float]) -> _Waiter:
        """The waiter the scan `min(priority, max(ready, now), seq)` would pick: the first to
        arrive among those whose address is free by `ready_by` (when this priority may send
        at the earliest); if none, the one whose address frees soonest, then by arrival."""
        free, busy = self.free, self.busy
        while busy:  # addresses that have come free by then go back among the free
            free_at, seq, waiter = busy[0]
            if not waiter.waiting:
                heapq.heappop(busy)
                self.stale -= 1
                continue
            now_free_at = key_free.get(waiter.key or "", float("-inf"))
            if now_free_at > free_at:  # busy for longer since: look again where it belongs
                heapq.heapreplace(busy, (now_free_at, seq, waiter))
                continue
            if free_at > ready_by:
                break
            heapq.heappop(busy)
            heapq.heappush(free, (seq, waiter))
        while free:
            seq, waiter = free[0]
            if not waiter.waiting:
                heapq.heappop(free)
                self.stale -= 1
                continue
            if waiter.key is not None:
                free_at = key_free.get(waiter.key, float("-inf"))
                if free_at > ready_by:  # its address is busy now
                    heapq.heappop(free)
                    heapq.heappush(busy, (free_at, seq, waiter))
                    continue
            return waiter
        return busy[0][2]


class RateLimiter:
    """Spaces sends out so a provider never sees more than `rate` per second from us."""

    def __init__(
        self, rate: float, *, clock: Clock, sleep: Sleep = asyncio.sleep,
        per_key_interval: float = 0.0, burst: float = 1.0, shared: SharedWindow | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._interval = 1.0 / rate
        self._slack = (max(burst, 1) - 1) * self._interval
        self._per_key = per_key_interval
        self._clock = clock
        self._sleep = sleep
        self._next_free = float("-inf")
        self._key_free: dict[str, float] = {}
        self.shared = shared
        self._class_hold: dict[int, float] = {}  # refused by the shared window, per priority
        self._holding: set[asyncio.Task[None]] = set()
        self._queues: dict[int, _Queue] = {}
        self._waiting = 0
        self._seq = itertools.count()
        self._changed = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self.granted = 0

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def _ready_at(self, waiter: _Waiter) -> float:
        ready = max(self._next_free - self._slack,
                    self._class_hold.get(waiter.priority, float("-inf")))
        if waiter.key is not None:
            ready = max(ready, self._key_free.get(waiter.key, float("-inf")))
        return ready

    def _choose(self, now: float) -> _Waiter:
        """Highest priority first; among equals, the one whose address is free soonest, then
        the first to arrive (as `min(key=(priority, max(ready_at, now), seq))` would)."""
        priority = min(p for p, queue in self._queues.items() if queue.count)
        ready_by = max(self._next_free - self._slack,
                       self._class_hold.get(priority, float("-inf")), now)
        return self._queues[priority].choose(ready_by, self._key_free)

    def _remove(self, waiter: _Waiter) -> None:
        self._queues[waiter.priority].remove(waiter)
        self._waiting -= 1

    def _notify(self) -> None:
        """Something changed (a new waiter, a hold-off): the pump looks again."""
        self._changed.set()
        if self._pump is None or self._pump.done():
            self._pump = asyncio.get_running_loop().create_task(self._run_pump())

    async def acquire(self, key: str | None = None, priority: Priority = Priority.BULK) -> None:
        """Wait until this send may go out; the caller sends right after."""
        waiter = _Waiter(int(priority), next(self._seq), key)
        queue = self._queues.get(waiter.priority)
        if queue is None:
            queue = self._queues[waiter.priority] = _Queue()
        queue.add(waiter)
        self._waiting += 1
        self._notify()
        try:
            await waiter.granted
        finally:
            if waiter.waiting:  # cancelled while waiting
                self._remove(waiter)
                self._notify()

    async def _run_pump(self) -> None:
        while self._waiting:
            now = self._now()
            chosen = self._choose(now)
            wait = self._ready_at(chosen) - now
            if wait <= 0 and self.shared is not None:
                if await self._ask_shared(chosen) > 0:
                    continue  # refused: the hold now set steers the next choice
                if not chosen.waiting:
                    continue  # cancelled while asking: its counted slot goes unused
                now = self._now()
            if wait <= 0:
                self._grant(chosen, now)
                continue
            self._changed.clear()
            sleeper = asyncio.ensure_future(self._sleep(wait))
            notified = asyncio.ensure_future(self._changed.wait())
            try:
                await asyncio.wait({sleeper, notified}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (sleeper, notified):
                    if not task.done():
                        task.cancel()

    async def _ask_shared(self, waiter: _Waiter) -> float:
        """0 when the shared window counted this send; else how long it must wait, noted as a
        hold on the chat or on this priority and every lower one."""
        if self.shared is None:
            return 0.0
        try:
            wait, chat_only = await self.shared.try_acquire(waiter.key, waiter.priority)
        except Exception:  # a bug must not leave every waiter parked forever
            logger.exception("Batas kirim bersama gagal ditanyakan")
            wait, chat_only = (0.0 if waiter.priority < Priority.BULK else 1.0), False
        if wait <= 0:
            return 0.0
        until = self._now() + wait
        if chat_only and waiter.key is not None:
            self._key_free[waiter.key] = max(self._key_free.get(waiter.key, until), until)
        else:
            for priority in Priority:
                if priority >= waiter.priority:
                    self._class_hold[priority] = max(
                        self._class_hold.get(priority, until), until)
        return wait

    def _grant(self, waiter: _Waiter, now: float) -> None:
        self._remove(waiter)
        if not waiter.granted.done():
            waiter.granted.set_result(None)
        self._next_free = max(self._next_free, now - self._slack) + self._interval
        if waiter.key is not None and self._per_key:
            self._key_free[waiter.key] = now + self._per_key
            if len(self._key_free) > 10_000:  # forget chats that are long free again
                self._key_free = {k: t for k, t in self._key_free.items() if t > now}
        self.granted += 1

    def hold_off(self, seconds: float) -> None:
        """The provider said "too many requests": nobody sends for `seconds` (in every process,
        with a shared window)."""
        self._next_free = max(self._next_free, self._now() + seconds)
        if self.shared is not None:
            task = asyncio.get_running_loop().create_task(self.shared.hold_off(seconds))
            self._holding.add(task)
            task.add_done_callback(self._holding.discard)
        self._notify()


class LimitedSender:
    """Wraps a channel's Sender so every send waits its turn in the channel's limiter.

    Interactive replies use Priority.INTERACTIVE, so they overtake queued broadcast sends.
    A 429 with retry_after makes the whole channel hold off, not only this message.
    """

    def __init__(self, sender: Sender, limiter: RateLimiter,
                 priority: Priority = Priority.INTERACTIVE) -> None:
        self.inner = sender
        self.channel: Channel = sender.channel
        self.limiter = limiter
        self.priority = priority

    async def send(self, message: Outbound) -> SendReceipt:
        await self.limiter.acquire(message.address, self.priority)
        try:
            return await self.inner.send(message)
        except SendError as exc:
            if exc.kind is SendErrorKind.RETRY and exc.retry_after:
                self.limiter.hold_off(exc.retry_after)
            raise
