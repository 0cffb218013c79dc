"""The seam between the bot and broadcasts: the worker built with its explicit dependencies,
and what `spi-bot run` adds for broadcasts on the senders and limiters its runtime built."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.app import App
from core.sending import Sender
from inspectorate.retention import run_daily_purge
from outreach.dispatcher import DispatchConfig
from outreach.limiter import RateLimiter
from outreach.worker import OutreachWorker, WorkerBusy

logger = logging.getLogger(__name__)


def build_worker(
    app: App, senders: Mapping[str, Sender],
    limiters: Mapping[str, RateLimiter | None] | None = None, *,
    config: DispatchConfig | None = None,
) -> OutreachWorker:
    """The broadcast worker with its explicit dependencies taken from the App."""
    deps = app.deps

    async def daily() -> None:
        await run_daily_purge(app.db, app.settings, deps.clock)
        # Unanswered FAQ questions are pruned on every write too; this covers quiet months.
        async with app.db.transaction() as conn:
            await deps.faq_stats.prune_unanswered(conn, deps.clock.now())

    return OutreachWorker(app.db, app.settings, deps.catalog, deps.clock, senders,
                          limiters=limiters, daily=daily, config=config)


class ServerOutreach:
    """The broadcast worker inside `spi-bot run`, on the runtime's senders and limiters (the
    limiters the interactive replies wait in too). Another process holding the worker lock
    (for example `spi-bot broadcast worker`) leaves this one answering chats only."""

    def __init__(self, app: App) -> None:
        self._app = app
        self.worker: OutreachWorker | None = None
        self.state = "off"

    async def start(self, senders: Mapping[str, Sender],
                    limiters: Mapping[str, RateLimiter]) -> None:
        worker = build_worker(self._app, senders, dict(limiters))
        try:
            await worker.start()
        except WorkerBusy as exc:
            logger.warning("%s", exc)
            self.state = "elsewhere"
            return
        self.worker = worker
        self.state = "on"

    def add_sender(self, channel: str, sender: Sender) -> None:
        """A channel connected after start-up (Telegram was down): broadcasts use it too."""
        if self.worker is not None:
            self.worker.dispatcher.add_sender(channel, sender)

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None
