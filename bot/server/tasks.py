"""Background work started by webhooks (replies after a fast answer), finished on shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

logger = logging.getLogger(__name__)


class BackgroundTasks:
    """Keeps a reference to every task (asyncio only keeps weak ones) and drains them at exit."""

    def __init__(self, concurrency: int = 64) -> None:
        # A bounded number run at once: a backlog waits here cheaply instead of crowding the
        # event loop, which would slow every database round trip inside the write lock.
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._chains: dict[str, asyncio.Task[Any]] = {}
        self._closed = False
        self._idle = asyncio.Event()
        self._idle.set()

    def spawn(self, work: Coroutine[Any, Any, Any], *, bounded: bool = True) -> bool:
        """Start `work`; False (and not started) once shutdown began. `bounded=False` skips
        the concurrency limit: for work that mostly waits (replies paced by a rate limiter)
        and must not keep new messages from being stored."""
        if self._closed:
            work.close()
            return False
        task = asyncio.create_task(self._run(work) if bounded else work)
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._finished)
        return True

    async def _run(self, work: Coroutine[Any, Any, Any]) -> Any:
        async with self._slots:
            return await work

    def after(self, key: str, work: Coroutine[Any, Any, Any]) -> bool:
        """Start `work` once the previous work for the same `key` has finished: one person's
        replies go out in order, while nobody's waiting holds up anybody else."""
        previous = self._chains.get(key)

        async def in_turn() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            await work

        if self._closed:
            work.close()
            return False
        task = asyncio.create_task(in_turn())
        self._chains[key] = task
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._finished)
        task.add_done_callback(
            lambda done: self._chains.pop(key, None) if self._chains.get(key) is done else None)
        return True

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()
        if not task.cancelled() and task.exception() is not None:
            logger.error("Tugas latar gagal", exc_info=task.exception())

    def __len__(self) -> int:
        return len(self._tasks)

    async def idle(self) -> None:
        """Return once no background work is running (tests, shutdown diagnostics)."""
        await self._idle.wait()

    async def drain(self, within: float = 30.0) -> None:
        """Refuse new work, wait for what runs; cancel what is still running after `within`."""
        self._closed = True
        if not self._tasks:
            return
        logger.info("Menyelesaikan %d pesan yang sedang diproses …", len(self._tasks))
        _, pending = await asyncio.wait(set(self._tasks), timeout=within)
        for task in pending:
            task.cancel()
        if pending:
            logger.warning("%d pesan dihentikan paksa saat berhenti", len(pending))
            await asyncio.wait(pending)


# Providers wait about 15 s for a webhook's answer; a message not stored by then gets an error
# answer instead, so the provider delivers it again (its id makes the redelivery harmless).
SETTLE_WITHIN = 10.0


class Settlement:
    """Lets a webhook wait until the engine has stored a message (`Engine.handle(settled=)`)."""

    def __init__(self) -> None:
        self._done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def mark(self) -> None:
        if not self._done.done():
            self._done.set_result(None)

    async def within(self, seconds: float = SETTLE_WITHIN) -> bool:
        """True once settled; False if `seconds` passed first."""
        try:
            await asyncio.wait_for(asyncio.shield(self._done), seconds)
        except TimeoutError:
            return False
        return True
