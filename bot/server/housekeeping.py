"""Pruning that a long-running server does on a schedule, not only at start-up.

Processed message ids are kept only as long as a provider may redeliver (REDELIVERY_HORIZON);
a server that runs for months would otherwise grow the table by every message ever received.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.app import App
from storage.repositories.inbound import REDELIVERY_HORIZON, InboundRepository

logger = logging.getLogger(__name__)

PRUNE_EVERY_SECONDS = 3600.0


async def prune_once(app: App) -> int:
    async with app.db.transaction() as conn:
        return await InboundRepository().prune(conn, app.deps.clock.now() - REDELIVERY_HORIZON)


async def _loop(app: App, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        try:
            pruned = await prune_once(app)
        except Exception:
            logger.exception("Pembersihan id pesan lama gagal; dicoba lagi nanti")
            continue
        if pruned:
            logger.info("%d id pesan lama dihapus", pruned)


@asynccontextmanager
async def housekeeping(app: App, every: float = PRUNE_EVERY_SECONDS) -> AsyncIterator[None]:
    task = asyncio.create_task(_loop(app, every), name="housekeeping")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
