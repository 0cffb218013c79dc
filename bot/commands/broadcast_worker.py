"""`spi-bot broadcast worker`: the broadcast worker as a process of its own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.app import open_app
from bot.channels.senders import open_senders
from bot.server.outreach import build_worker
from core.settings import Settings
from outreach.worker import WorkerBusy

logger = logging.getLogger(__name__)


async def run_worker_until_stopped(settings: Settings) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with open_app(settings) as app, open_senders(settings, app.deps.catalog) as senders:
        if not senders:
            logger.warning("Belum ada kanal pengirim yang dikonfigurasi; siaran dijadwalkan "
                           "tetapi tidak dikirim")
        worker = build_worker(app, {str(c): s for c, s in senders.items()})
        try:
            await worker.start()
        except WorkerBusy as exc:
            print(exc)
            return 2
        logger.info("Pengirim siaran berjalan")
        try:
            await stop.wait()
        finally:
            await worker.stop()
    return 0
