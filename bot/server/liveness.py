"""This process's identity among several web processes sharing one PostgreSQL database.

At start-up the process registers (storage/repositories/processes.py) and holds its liveness
lock, a session advisory lock on a connection of its own that the server frees when the
process dies, however it died. The replies its turns store carry its id; other processes
take them over only once that lock is free (bot/channels/dispatch.py). `check` (run
periodically) notices a lost lock connection (the network, a database restart) and takes the
lock again under the same id; meanwhile others may have taken over its replies, which it then
no longer sends (every write to a reply is fenced by its owner).

On SQLite (one process per file) there is no identity: `start` returns None.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from contextlib import AsyncExitStack
from datetime import timedelta

from core.clock import Clock
from storage.database import Database
from storage.repositories.processes import ProcessRepository, lock_name

logger = logging.getLogger(__name__)


class ProcessLiveness:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._repo = ProcessRepository()
        self._held: AsyncExitStack | None = None
        self.id: int | None = None

    async def start(self) -> int | None:
        """Register and hold the liveness lock; the process id (None on SQLite)."""
        if self._db.dialect != "postgresql":
            return None
        async with self._db.transaction() as conn:
            self.id = await self._repo.register(conn, socket.gethostname(), os.getpid(),
                                                self._clock.now())
        if not await self._hold():
            raise RuntimeError(f"Kunci proses {self.id} dipegang proses lain")
        logger.info("Proses web %d terdaftar", self.id)
        return self.id

    async def _hold(self) -> bool:
        if self.id is None:
            return False
        stack = AsyncExitStack()
        try:
            held = await stack.enter_async_context(self._db.exclusive(lock_name(self.id)))
        except Exception:
            await stack.aclose()
            raise
        if not held:
            await stack.aclose()
            return False
        self._held = stack
        return True

    async def check(self) -> bool:
        """True while the lock is held; if its connection was lost, take it again (False
        when that is not possible now: a process taking over holds it for a moment)."""
        if self.id is None:
            return True
        async with self._db.transaction() as conn:
            lost = await self._repo.is_dead(conn, self.id)
        if not lost:
            return True
        logger.warning("Kunci hidup proses %d hilang (koneksi database putus); diambil lagi",
                       self.id)
        await self._release()
        return await self._hold()

    async def forget_dead(self) -> int:
        """Drop the registrations of dead processes that own no reply any more."""
        if self.id is None:
            return 0
        async with self._db.transaction() as conn:
            return await self._repo.forget_dead(
                conn, self.id, self._clock.now() - timedelta(minutes=1))

    async def _release(self) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            with contextlib.suppress(Exception):  # a connection already gone
                await held.aclose()

    async def stop(self) -> None:
        await self._release()
