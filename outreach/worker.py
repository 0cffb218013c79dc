"""The broadcast worker: scheduler, sending loop and crash recovery for one database.

Alone (SQLite, or PostgreSQL without Redis): one worker per database schedules and sends. It
holds an exclusive lock (an OS file lock beside the SQLite file, a session advisory lock on
PostgreSQL): the kernel or the server frees it when the process ends, even by SIGKILL, so a
restarted bot takes over at once; a lease row would need expiry and renewal and would make a
killed worker's successor wait out the lease.

Together (PostgreSQL and `SPI_REDIS_URL`): any number of worker processes send side by side.
Each registers an id and holds its own advisory lock (storage/leases.py); deliveries in
`sending` carry the id of the worker that claimed them, and only a dead worker's are resolved
by another (outreach/reconcile.py). One of them, holding the scheduler lock, also runs
APScheduler and fires what is due; when it dies another takes the lock within a second. The
senders' limits are counted in Redis (outreach/shared_limit.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import TYPE_CHECKING

from core.catalog import Catalog
from core.clock import Clock, SystemClock, to_text
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
from outreach.shared_limit import SharedStore, SharedWindow, shared_windows
from storage.database import Database
from storage.repositories.broadcasts import BroadcastRepository
from storage.states import BroadcastState

if TYPE_CHECKING:
    from storage.leases import WorkerLease

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
# The daily job the worker's scheduler runs (the retention purge, given by the composition root).
DailyJob = Callable[[], Awaitable[None]]


class WorkerBusy(Exception):
    """Another process already sends broadcasts for this database."""


def sends_together(s: Settings) -> bool:
    """Several worker processes send side by side: PostgreSQL and Redis both configured."""
    return bool(s.database_url and s.redis_url)


def build_limiters(s: Settings, *, clock: Clock | None = None,
                   sleep: Sleep = asyncio.sleep) -> dict[str, RateLimiter]:
    """One limiter per channel, shared by broadcasts and interactive replies.

    Pacing is about real seconds at the provider, so it runs on the system clock with the real
    sleep unless a test passes its fake clock and fake sleep together. Sends are evenly spaced
    (no burst): measured against a provider enforcing the same rate, a burst of even half a
    message let network jitter cause 429s. With PostgreSQL and Redis, each limiter also asks
    its sender's window in Redis (counted across processes, on the system clock).
    """
    clock = clock or SystemClock()
    windows: dict[str, SharedWindow] = {}
    if sends_together(s) and s.redis_url:
        store = SharedStore(s.redis_url, s.redis_key_prefix)
        windows = shared_windows(store, s)
    return {
        "telegram": RateLimiter(s.broadcast_telegram_rate, clock=clock, sleep=sleep,
                                per_key_interval=s.broadcast_telegram_per_chat_seconds,
                                shared=windows.get("telegram")),
        "whatsapp": RateLimiter(s.broadcast_whatsapp_rate, clock=clock, sleep=sleep,
                                shared=windows.get("whatsapp")),
    }


async def close_limiters(limiters: Mapping[str, RateLimiter | None]) -> None:
    """Close the Redis connections of limiters built by `build_limiters` (nothing otherwise)."""
    stores = {id(w.store): w.store for lim in limiters.values()
              if lim is not None and (w := lim.shared) is not None}
    for store in stores.values():
        await store.aclose()


def dispatch_config(s: Settings) -> DispatchConfig:
    return DispatchConfig(
        quiet=QuietHours(parse_clock_time(s.broadcast_quiet_start),
                         parse_clock_time(s.broadcast_quiet_end)),
        batch_size=s.broadcast_batch_size, max_attempts=s.broadcast_max_attempts,
        cap=ReminderCap(s.broadcast_cap_per_week, s.broadcast_cap_per_season),
        takeover_after=timedelta(seconds=s.broadcast_takeover_seconds),
    )


class OutreachWorker:
    def __init__(
        self, db: Database, settings: Settings, catalog: Catalog, clock: Clock,
        senders: Mapping[str, Sender], *,
        limiters: Mapping[str, RateLimiter | None] | None = None,
        daily: DailyJob | None = None,
        poll_seconds: float = 1.0,
        config: DispatchConfig | None = None,
        lease_check_seconds: float = 1.0,
    ) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock
        self._daily = daily
        self.key = str(settings.database_path.resolve())
        self.service = BroadcastService(settings)
        self.notifier = StaffNotifier(db, settings, catalog, clock, senders)
        self._own_limiters = limiters is None
        self.limiters = build_limiters(settings) if limiters is None else dict(limiters)
        # Several workers send side by side only on PostgreSQL; SQLite keeps one.
        self.together = sends_together(settings) and db.dialect == "postgresql"
        self.dispatcher = Dispatcher(
            db, senders,
            limiters={c: lim for c, lim in self.limiters.items() if lim is not None},
            clock=clock, config=config or dispatch_config(settings), notifier=self.notifier)
        self.scheduler = BroadcastScheduler(settings.database_path, self.key,
                                            settings.database_url)
        self._broadcasts = BroadcastRepository()
        self._poll = poll_seconds
        self._lease_check = lease_check_seconds
        self._lock: AbstractAsyncContextManager[bool] | None = None
        self.lease: WorkerLease | None = None
        self.leading = False  # this process runs the scheduler
        self._lease_lost = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._watch: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._stopping = False

    @property
    def worker_id(self) -> int | None:
        """This worker's id among several (None when it runs alone)."""
        return self.lease.worker_id if self.lease is not None else None

    async def start(self) -> None:
        """Take the lock (or join the others), recover from a crash, start the scheduler
        (alone, or when leading) and the sending loop."""
        if self.db.dialect == "postgresql":
            from storage.leases import database_key  # noqa: PLC0415 - psycopg only if used

            async with self.db.reading() as conn:
                self.key = self.scheduler.key = await database_key(conn)
        if self.together:
            await self._join()
        else:
            await self._start_alone()
        self._task = asyncio.create_task(self._loop(), name="outreach-worker")

    async def _start_alone(self) -> None:
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
        await self._lead()

    async def _join(self) -> None:
        """Register among the workers of this database; lead if nobody does."""
        from storage.leases import WorkerLease  # noqa: PLC0415 - psycopg only if used

        lease = await WorkerLease.open(
            self.settings.database_url or "", host=socket.gethostname()[:100], pid=os.getpid(),
            started_at=to_text(self.clock.now()))
        if lease is None:
            raise WorkerBusy(
                "Pengirim siaran tanpa Redis sedang berjalan sendirian untuk database ini; "
                "hentikan dulu, atau beri SPI_REDIS_URL yang sama pada semua proses.")
        self.lease = lease
        self._lease_lost.clear()
        self.dispatcher.join(lease.worker_id, self._live_workers)
        logger.info("Pengirim siaran #%d bergabung", lease.worker_id)
        try:
            await self.dispatcher.reconcile()
            await self._try_lead()
        except BaseException:
            await self._abdicate()
            await lease.close()  # not alive after all: its id is free to be taken over
            self.lease = None
            raise
        if self._watch is None or self._watch.done():
            self._watch = asyncio.create_task(self._watch_lease(), name="outreach-lease")

    async def _live_workers(self) -> set[int]:
        from storage.leases import live_workers  # noqa: PLC0415

        async with self.db.reading() as conn:
            return await live_workers(conn)

    async def _lead(self) -> None:
        """Run the scheduler here: every broadcast still to come is put in (with this
        database's key) and what fell due while nobody scheduled is fired."""
        register(self.key, self)
        self.scheduler.start()
        self.leading = True
        await self.sync_jobs(everything=True)

    async def _try_lead(self) -> None:
        lease = self.lease
        if lease is None or self.leading or self._stopping or not await lease.try_lead():
            return
        try:
            await self._lead()
        except Exception:
            logger.exception("Penjadwal siaran gagal dimulai; dicoba lagi")
            await self._abdicate()
            return
        logger.info("Pengirim siaran #%d kini juga menjadwalkan siaran", lease.worker_id)
        self.wake()

    async def _abdicate(self) -> None:
        if self.leading:
            self.leading = False
            self.scheduler.shutdown()
            unregister(self.key)
        if self.lease is not None:
            await self.lease.resign()

    async def _watch_lease(self) -> None:
        """Every second: is our lock still held (else stop sending and join again), and does
        anybody schedule (else we do)."""
        while not self._stopping:
            await asyncio.sleep(self._lease_check)
            lease = self.lease
            if lease is None or self._lease_lost.is_set():
                continue
            if not await lease.alive():
                logger.error("Pengirim siaran #%d kehilangan sambungan kuncinya; berhenti "
                             "mengirim dan bergabung lagi", lease.worker_id)
                self._lease_lost.set()
                self.dispatcher.stop()  # no new group; the one under way ends its sends
                await self._abdicate()
                self.wake()
                continue
            try:
                await self._try_lead()
            except Exception:
                logger.exception("Gagal memeriksa penjadwal siaran")

    async def _rejoin(self) -> None:
        """After the lock was lost (its connection died, not this process): a new id."""
        if self.lease is not None:
            await self.lease.close()
            self.lease = None
        while not self._stopping:
            try:
                self.dispatcher.resume()
                await self._join()
                return
            except Exception:
                logger.exception("Bergabung lagi gagal; dicoba lagi")
                self.dispatcher.stop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=max(self._poll, 1.0))

    async def stop(self) -> None:
        self._stopping = True
        self.dispatcher.stop()
        self._wake.set()
        for task in (self._watch,):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self.scheduler.shutdown()
        if self.leading:
            unregister(self.key)
            self.leading = False
        if self.lease is not None:
            await self.lease.close()
            self.lease = None
        if self._lock is not None:
            await self._lock.__aexit__(None, None, None)
            self._lock = None
        if self._own_limiters:
            await close_limiters(self.limiters)

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
                f"broadcast:{broadcast_id}", "broadcast.alert_missed",
                scope=result.run.scope, id=broadcast_id,
                grace=self.settings.broadcast_misfire_grace_minutes)
        self.wake()

    async def purge(self) -> None:
        """The daily job (the retention purge), run by the scheduler."""
        if self._daily is not None:
            await self._daily()

    async def sync_jobs(self, *, everything: bool = False) -> None:
        """Put broadcasts created or changed by the CLI or chat into the scheduler; fire what
        is already due (created while no worker ran). `everything`: every broadcast still to
        come, for a scheduler that starts here."""
        now = self.clock.now()
        async with self.db.reading() as conn:
            changed = await self._broadcasts.list_unsynced(conn)
            if everything:
                seen = {b.id for b in changed}
                changed += [b for b in await self._broadcasts.list_scheduled(conn)
                            if b.id not in seen]
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
            if not b.job_synced:
                async with self.db.transaction() as conn:
                    await self._broadcasts.mark_synced(conn, b.id)
        for bid in due:
            await self.fire(bid)

    async def run_once(self) -> float:
        """One round: sync jobs (where the scheduler runs), send what is due, resolve stale
        in-flight deliveries. Returns seconds until the next round is useful."""
        if self.leading:
            await self.sync_jobs()
        wake_at = await self.dispatcher.send_due()
        await self.dispatcher.reconcile()
        if wake_at is None:
            return self._poll
        delay = (wake_at - self.clock.now()).total_seconds()
        return max(0.05, min(self._poll, delay))

    async def _loop(self) -> None:
        while not self._stopping:
            if self._lease_lost.is_set():
                await self._rejoin()
                continue
            try:
                delay = await self.run_once()
            except Exception:
                logger.exception("Putaran pengirim siaran gagal; dicoba lagi")
                delay = self._poll
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
