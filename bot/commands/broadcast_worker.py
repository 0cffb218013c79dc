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


STANDBY_RETRY_SECONDS = 1.0


async def run_worker_until_stopped(settings: Settings, *, standby: bool = False) -> int:
    """Run until SIGINT/SIGTERM. With `standby`, a worker that finds another one running
    waits and takes over within about a second of that one's end (its lock is freed even
    after SIGKILL), instead of giving up. With PostgreSQL and Redis, every worker sends and
    none waits (outreach/worker.py); `standby` then only matters beside a worker that runs
    alone without Redis."""
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
        waiting = False
        while True:
            try:
                await worker.start()
                break
            except WorkerBusy as exc:
                if not standby:
                    print(exc)
                    return 2
                if not waiting:
                    logger.info("Pengirim siaran lain sedang berjalan; menunggu untuk "
                                "mengambil alih")
                    waiting = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), STANDBY_RETRY_SECONDS)
            if stop.is_set():
                return 0
        if worker.worker_id is not None:
            logger.info("Pengirim siaran berjalan (#%d, bersama pengirim lain pada database "
                        "ini)", worker.worker_id)
        else:
            logger.info("Pengirim siaran berjalan")
        try:
            await stop.wait()
        finally:
            await worker.stop()
    return 0
