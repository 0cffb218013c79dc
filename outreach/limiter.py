"""Per-channel send pacing shared by broadcasts and interactive replies; replies go first.

Each channel gets one `RateLimiter`: an overall spacing (1/rate seconds between sends, with an
optional small burst) and an optional per-address spacing (Telegram: one message per chat per
second). Waiters are served by priority, then by arrival, among those whose address is free
soonest. Time and sleeping are injected so tests are exact and never sleep.

Waiters park on a future; one pump task picks the next waiter and wakes only that one, so a
queue of thousands of replies costs one scan per send instead of waking everybody per send.

With several processes sending for the same provider sender (PostgreSQL and Redis), the pump
also asks the sender's window in Redis (outreach/shared_limit.py) before letting a send go:
the limits then hold across all processes together, replies keeping a reserve of their own.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
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


@dataclass(order=True)
class _Waiter:
    priority: int
    seq: int
    key: str | None = field(compare=False)
    granted: asyncio.Future[None] = field(compare=False, default_factory=lambda: (
        asyncio.get_running_loop().create_future()))


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
        self._waiters: list[_Waiter] = []
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
        """Highest priority first; among equals, the one whose address is free soonest."""
        return min(self._waiters,
                   key=lambda w: (w.priority, max(self._ready_at(w), now), w.seq))

    def _notify(self) -> None:
        """Something changed (a new waiter, a hold-off): the pump looks again."""
        self._changed.set()
        if self._pump is None or self._pump.done():
            self._pump = asyncio.get_running_loop().create_task(self._run_pump())

    async def acquire(self, key: str | None = None, priority: Priority = Priority.BULK) -> None:
        """Wait until this send may go out; the caller sends right after."""
        waiter = _Waiter(int(priority), next(self._seq), key)
        self._waiters.append(waiter)
        self._notify()
        try:
            await waiter.granted
        finally:
            if waiter in self._waiters:  # cancelled while waiting
                self._waiters.remove(waiter)
                self._notify()

    async def _run_pump(self) -> None:
        while self._waiters:
            now = self._now()
            chosen = self._choose(now)
            wait = self._ready_at(chosen) - now
            if wait <= 0 and self.shared is not None:
                if await self._ask_shared(chosen) > 0:
                    continue  # refused: the hold now set steers the next choice
                if chosen not in self._waiters:
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
        self._waiters.remove(waiter)
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
