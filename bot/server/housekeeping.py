"""Periodic upkeep of `spi-bot run` that cannot wait for the worker's daily job.

Dialogs expire after SPI_SESSION_IDLE_MINUTES; a daily purge would keep a half-typed name or
number up to a day longer than that, and the broadcast worker may run in another process (or
not at all), while the conversations live here. So the server itself drops them every minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.app import App
from inspectorate.retention import describe_rule, expire_conversations

logger = logging.getLogger(__name__)


class Housekeeping:
    EVERY = 60.0  # seconds; a dialog's data outlives its timeout by at most this

    def __init__(self, app: App, every: float = EVERY) -> None:
        self._app = app
        self._every = every
        self._task: asyncio.Task[None] | None = None

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

    async def _forever(self) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:
                logger.exception("Pembersihan percakapan menganggur gagal; dicoba lagi nanti")
            await asyncio.sleep(self._every)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
