"""Periodic upkeep of `spi-bot run` that cannot wait for the worker's daily job.

Dialogs expire after SPI_SESSION_IDLE_MINUTES; a daily purge would keep a half-typed name or
number up to a day longer than that, and the broadcast worker may run in another process (or
not at all), while the conversations live here. So the server itself drops them every minute.
Processed message ids are kept only as long as a provider may redeliver (REDELIVERY_HORIZON);
they are pruned hourly, or a server that runs for months would keep every id it ever saw; so
are the delivery statuses of replies (`outbound_messages` rows no broadcast delivery points to)
older than STATUSES_KEPT. The reply outbox empties itself (a row goes once the provider took
the reply); on PostgreSQL autovacuum reclaims what these deletes free.
With several web processes on PostgreSQL, one of them does each round (the others find its
lock taken and skip it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta

from bot.app import App
from inspectorate.retention import describe_rule, expire_conversations
from storage.repositories.inbound import REDELIVERY_HORIZON, InboundRepository
from storage.repositories.outbound import OutboundMessageRepository

logger = logging.getLogger(__name__)


class Housekeeping:
    EVERY = 60.0  # seconds; a dialog's data outlives its timeout by at most this
    IDS_EVERY = 3600.0  # seconds between prunes of processed message ids and reply statuses
    STATUSES_KEPT = timedelta(days=30)  # a reply's delivery status, for support questions

    def __init__(self, app: App, every: float = EVERY) -> None:
        self._app = app
        self._every = every
        self._task: asyncio.Task[None] | None = None
        self._ids_pruned_at = time.monotonic()  # open_app pruned them at start-up

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        settings = self._app.settings
        logger.info("Masa simpan: %s",
                    describe_rule(settings, self._app.deps.clock.now().date()))
        self._task = asyncio.create_task(self._forever())

    async def run_once(self) -> int:
        """Expire idle dialogs now; returns how many were dropped."""
        app = self._app
        dropped = await expire_conversations(app.db, app.settings, app.deps.clock.now())
        if dropped:
            logger.info("%d percakapan yang menganggur dilupakan", dropped)
        return dropped

    async def prune_processed_ids(self) -> int:
        """Forget message ids older than any provider's redelivery horizon, and the delivery
        statuses of old replies; returns how many ids went."""
        app = self._app
        now = app.deps.clock.now()
        async with app.db.transaction() as conn:
            pruned = await InboundRepository().prune(conn, now - REDELIVERY_HORIZON)
        async with app.db.transaction() as conn:
            statuses = await OutboundMessageRepository().prune(conn, now - self.STATUSES_KEPT)
        if pruned or statuses:
            logger.info("%d id pesan lama dan %d status balasan lama dihapus", pruned, statuses)
        return pruned

    async def _round(self) -> None:
        await self.run_once()
        if time.monotonic() - self._ids_pruned_at >= self.IDS_EVERY:
            self._ids_pruned_at = time.monotonic()
            await self.prune_processed_ids()

    async def _forever(self) -> None:
        db = self._app.db
        while True:
            try:
                if db.dialect != "postgresql":
                    await self._round()
                else:
                    async with db.exclusive("housekeeping") as mine:
                        if mine:  # else another web process is doing this round
                            await self._round()
            except Exception:
                logger.exception("Pembersihan berkala gagal; dicoba lagi nanti")
            await asyncio.sleep(self._every)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
