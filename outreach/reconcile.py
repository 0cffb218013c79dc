"""After a crash or a lost answer: deliveries left in `sending` are resolved without sending
blindly again. A channel that can look messages up (Twilio) is asked; otherwise (Telegram)
the delivery is reported as unknown.

Alone, a worker resolves every delivery in flight at start-up (nothing of its own is) and,
later, those stuck longer than `reconcile_after`. Among several workers it resolves only its
own and those of dead workers: a worker not holding its lock (storage/leases.py) for
`takeover_after` is dead, and its deliveries are first adopted in one statement, so two live
workers never both resolve one. Deliveries another live worker is sending are never touched.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from core.clock import Clock
from core.sending import LookupUnavailable, Sender
from outreach.decisions import build_outbound, lookup_of
from storage.database import Database
from storage.repositories.broadcasts import Broadcast, BroadcastRepository
from storage.repositories.deliveries import DeliveryJob, DeliveryRepository, Settlement
from storage.states import DeliveryState

# The ids of the workers alive now (holding their lock).
LiveWorkers = Callable[[], Awaitable[set[int]]]


class Reconciler:
    def __init__(self, db: Database, senders: Mapping[str, Sender], *, clock: Clock,
                 reconcile_after: timedelta,
                 takeover_after: timedelta = timedelta(seconds=20)) -> None:
        self._db = db
        self._senders = senders  # the dispatcher's own mapping: channels added later count
        self._clock = clock
        self._after = reconcile_after
        self._takeover = takeover_after.total_seconds()
        self._broadcasts = BroadcastRepository()
        self._deliveries = DeliveryRepository()
        self._worker_id: int | None = None
        self._live: LiveWorkers | None = None
        self._dead_since: dict[int | None, float] = {}  # monotonic time first seen dead
        self._adopted: set[int] = set()  # dead workers' deliveries, now ours to resolve

    def join(self, worker_id: int, live: LiveWorkers) -> None:
        """Resolve as worker `worker_id` among several (see the module docstring)."""
        self._worker_id, self._live = worker_id, live
        self._adopted.clear()

    async def run(self, *, startup: bool) -> int:
        """Resolve deliveries stuck in `sending`; alone at start-up all of them (nothing of
        ours is in flight), later only those older than `reconcile_after`; among several,
        also those adopted from dead workers. Returns how many."""
        now = self._clock.now()
        cutoff = now if startup and self._worker_id is None else now - self._after
        if self._worker_id is not None:
            await self._adopt_orphans()
        resolved, after = 0, 0
        cache: dict[int, Broadcast | None] = {}
        while True:
            async with self._db.reading() as conn:
                page = await self._deliveries.in_flight(conn, after_id=after,
                                                        worker_id=self._worker_id)
            if not page:
                return resolved
            after = page[-1][0].id
            settlements = []
            for job, sending_at in page:
                if job.id not in self._adopted \
                        and sending_at is not None and sending_at > cutoff:
                    continue
                if job.broadcast_id not in cache:
                    async with self._db.reading() as conn:
                        cache[job.broadcast_id] = await self._broadcasts.get_for_worker(
                            conn, job.broadcast_id)
                settlement = await self._one(cache[job.broadcast_id], job, sending_at or now)
                if settlement is not None:
                    settlements.append(settlement)
            if settlements:
                async with self._db.transaction() as conn:
                    await self._deliveries.settle(conn, settlements, now)
                resolved += len(settlements)
                self._adopted.difference_update(s.id for s in settlements)

    async def _adopt_orphans(self) -> None:
        """Take over the deliveries in `sending` of workers dead for `takeover_after`."""
        if self._live is None or self._worker_id is None:
            return
        async with self._db.reading() as conn:
            owners = await self._deliveries.in_flight_workers(conn)  # first, then who lives:
        live = await self._live()  # a worker that claimed after the read above is alive
        dead = {o for o in owners if o != self._worker_id and o not in live}
        clock = time.monotonic()
        self._dead_since = {o: self._dead_since.get(o, clock) for o in dead}
        for owner, since in self._dead_since.items():
            if clock - since >= self._takeover:
                async with self._db.transaction() as conn:
                    self._adopted.update(await self._deliveries.adopt(
                        conn, owner, self._worker_id, self._clock.now()))

    async def _one(self, b: Broadcast | None, job: DeliveryJob,
                   sending_at: datetime) -> Settlement | None:
        lookup = lookup_of(self._senders.get(job.channel))
        if b is None or lookup is None:
            return Settlement(job.id, DeliveryState.UNKNOWN, reason="outcome_unknown")
        message = build_outbound(b, job, template=job.use_template)
        try:
            receipt = await lookup.find_sent(message, sending_at - timedelta(seconds=5))
        except LookupUnavailable:
            return None  # ask again later; never guess
        if receipt is None:
            # The provider has no such message: sending it now is the first time.
            return Settlement(job.id, DeliveryState.PENDING, next_attempt_at=self._clock.now(),
                              reason="not_received_by_provider")
        return Settlement(job.id, DeliveryState.SENT, provider_id=receipt.provider_id,
                          provider_status=receipt.status, reason="confirmed_after_restart")
