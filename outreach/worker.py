"""The broadcast worker: scheduler, sending loop and crash recovery for one database.

Only one worker may run per database. It holds an OS file lock next to the database file:
the kernel releases it when the process ends, even by SIGKILL, so a restarted bot takes over
at once; a lease row in SQLite would need expiry and renewal and would make a killed
worker's successor wait out the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager

from core.catalog import Catalog
from core.clock import Clock, SystemClock
from core.sending import Sender
from core.settings import Settings
from outreach.cap import ReminderCap
from outreach.dispatcher import DispatchConfig, Dispatcher
from outreach.firing import FireResult
from outreach.limiter import RateLimiter
from outreach.notify import StaffNotifier
from outreach.quiet_hours import QuietHours, parse_clock_time
from outreach.scheduler import BroadcastScheduler, register, unregister
from outreach.service import BroadcastService
from storage.database import Database
from storage.repositories.broadcasts import BroadcastRepository
from storage.states import BroadcastState

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
# The daily job the worker's scheduler runs (the retention purge, given by the composition root).
DailyJob = Callable[[], Awaitable[None]]


class WorkerBusy(Exception):
    """Another process already sends broadcasts for this database."""


def build_limiters(s: Settings, *, clock: Clock | None = None,
                   sleep: Sleep = asyncio.sleep) -> dict[str, RateLimiter]:
    """One limiter per channel, shared by broadcasts and interactive replies.

    Pacing is about real seconds at the provider, so it runs on the system clock with the real
    sleep unless a test passes its fake clock and fake sleep together. Sends are evenly spaced
    (no burst): measured against a provider enforcing the same rate, a burst of even half a
    message let network jitter cause 429s.
    """
    clock = clock or SystemClock()
    return {
        "telegram": RateLimiter(s.broadcast_telegram_rate, clock=clock, sleep=sleep,
                                per_key_interval=s.broadcast_telegram_per_chat_seconds),
        "whatsapp": RateLimiter(s.broadcast_whatsapp_rate, clock=clock, sleep=sleep),
    }


def dispatch_config(s: Settings) -> DispatchConfig:
    return DispatchConfig(
        quiet=QuietHours(parse_clock_time(s.broadcast_quiet_start),
                         parse_clock_time(s.broadcast_quiet_end)),
        batch_size=s.broadcast_batch_size, max_attempts=s.broadcast_max_attempts,
        cap=ReminderCap(s.broadcast_cap_per_week, s.broadcast_cap_per_season),
    )


class OutreachWorker:
    def __init__(
        self, db: Database, settings: Settings, catalog: Catalog, clock: Clock,
        senders: Mapping[str, Sender], *,
        limiters: Mapping[str, RateLimiter | None] | None = None,
        daily: DailyJob | None = None,
        poll_seconds: float = 1.0,
        config: DispatchConfig | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self._daily = daily
        self.key = str(settings.database_path.resolve())
        self.service = BroadcastService(settings)
        self.notifier = StaffNotifier(db, settings, catalog, clock, senders)
        chosen = build_limiters(settings) if limiters is None else limiters
        self.dispatcher = Dispatcher(
            db, senders, limiters={c: lim for c, lim in chosen.items() if lim is not None},
            clock=clock, config=config or dispatch_config(settings), notifier=self.notifier)
        self.scheduler = BroadcastScheduler(settings.database_path, self.key,
                                            settings.database_url)
        self._broadcasts = BroadcastRepository()
        self._poll = poll_seconds
        self._lock: AbstractAsyncContextManager[bool] | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    async def start(self) -> None:
        """Take the lock, recover from a crash, start the scheduler and the sending loop."""
        lock = self.db.exclusive("worker")
        if not await lock.__aenter__():
            await lock.__aexit__(None, None, None)
            raise WorkerBusy(
                "Pengirim siaran sudah berjalan untuk database ini di proses lain; "
                "hanya satu yang boleh berjalan.")
        self._lock = lock
        recovered = await self.dispatcher.reconcile(startup=True)
        if recovered:
            logger.info("%d pengiriman yang terputus dicocokkan ulang", recovered)
        register(self.key, self)
        self.scheduler.start()
        await self.sync_jobs()
        self._task = asyncio.create_task(self._loop(), name="outreach-worker")

    async def stop(self) -> None:
        self._stopping = True
        self.dispatcher.stop()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.scheduler.shutdown()
        unregister(self.key)
        if self._lock is not None:
            await self._lock.__aexit__(None, None, None)
            self._lock = None

    async def __aenter__(self) -> OutreachWorker:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def wake(self) -> None:
        self._wake.set()

    async def fire(self, broadcast_id: int) -> None:
        """Called by the scheduled job: start (or record as missed) the due occurrence."""
        now = self.clock.now()
        async with self.db.transaction() as conn:
            result: FireResult = await self.service.fire(conn, broadcast_id, now)
        if result.missed and result.run is not None:
            await self.notifier.alert(
                f"broadcast:{broadcast_id}", "broadcast.alert_missed", id=broadcast_id,
                grace=self.settings.broadcast_misfire_grace_minutes)
        self.wake()

    async def purge(self) -> None:
        """The daily job (the retention purge), run by the scheduler."""
        if self._daily is not None:
            await self._daily()

    async def sync_jobs(self) -> None:
        """Put broadcasts created or changed by the CLI or chat into the scheduler; fire what
        is already due (created while no worker ran)."""
        now = self.clock.now()
        async with self.db.reading() as conn:
            changed = await self._broadcasts.list_unsynced(conn)
        due = []
        for b in changed:
            if b.id is None:
                continue
            if b.state in (BroadcastState.ACTIVE, BroadcastState.PAUSED) \
                    and b.next_due_at is not None:
                self.scheduler.put(b)
                if b.next_due_at <= now:
                    due.append(b.id)
            else:
                self.scheduler.remove(b.id)
            async with self.db.transaction() as conn:
                await self._broadcasts.mark_synced(conn, b.id)
        for bid in due:
            await self.fire(bid)

    async def run_once(self) -> float:
        """One round: sync jobs, send what is due, resolve stale in-flight deliveries.
        Returns seconds until the next round is useful."""
        await self.sync_jobs()
        wake_at = await self.dispatcher.send_due()
        await self.dispatcher.reconcile()
        if wake_at is None:
            return self._poll
        delay = (wake_at - self.clock.now()).total_seconds()
        return max(0.05, min(self._poll, delay))

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                delay = await self.run_once()
            except Exception:
                logger.exception("Putaran pengirim siaran gagal; dicoba lagi")
                delay = self._poll
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
