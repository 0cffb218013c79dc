"""After a crash or a lost answer: deliveries left in `sending` are resolved without sending
blindly again. A channel that can look messages up (Twilio) is asked; otherwise (Telegram)
the delivery is reported as unknown."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from core.clock import Clock
from core.sending import LookupUnavailable, Sender
from outreach.decisions import build_outbound, lookup_of
from storage.database import Database
from storage.repositories.broadcasts import Broadcast, BroadcastRepository
from storage.repositories.deliveries import DeliveryJob, DeliveryRepository, Settlement
from storage.states import DeliveryState


class Reconciler:
    def __init__(self, db: Database, senders: Mapping[str, Sender], *, clock: Clock,
                 reconcile_after: timedelta) -> None:
        self._db = db
        self._senders = senders  # the dispatcher's own mapping: channels added later count
        self._clock = clock
        self._after = reconcile_after
        self._broadcasts = BroadcastRepository()
        self._deliveries = DeliveryRepository()

    async def run(self, *, startup: bool) -> int:
        """Resolve deliveries stuck in `sending`; at start-up all of them (nothing of ours is
        in flight), later only those older than `reconcile_after`. Returns how many."""
        now = self._clock.now()
        cutoff = now if startup else now - self._after
        resolved, after = 0, 0
        cache: dict[int, Broadcast | None] = {}
        while True:
            async with self._db.reading() as conn:
                page = await self._deliveries.in_flight(conn, after_id=after)
            if not page:
                return resolved
            after = page[-1][0].id
            settlements = []
            for job, sending_at in page:
                if sending_at is not None and sending_at > cutoff:
                    continue
                if job.broadcast_id not in cache:
                    async with self._db.reading() as conn:
                        cache[job.broadcast_id] = await self._broadcasts.get_by_id(
                            conn, job.broadcast_id)
                settlement = await self._one(cache[job.broadcast_id], job, sending_at or now)
                if settlement is not None:
                    settlements.append(settlement)
            if settlements:
                async with self._db.transaction() as conn:
                    await self._deliveries.settle(conn, settlements, now)
                resolved += len(settlements)

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
