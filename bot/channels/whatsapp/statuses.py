"""Twilio delivery-status callbacks written in batches: the callbacks that arrive while a write
is running share the next one, and each is answered only after the commit holding it.

Callbacks come at about three times the outgoing rate (issue 14: ~1,900/s for ten WhatsApp
senders at 64/s). One transaction each would cost every callback its own BEGIN, statement
and COMMIT (three round trips and a durable commit on PostgreSQL); in a batch, a burst costs
one transaction and one `executemany` (PostgreSQL's pipeline), and an idle server still writes
a lone callback at once (no timer: a batch is just what queued up meanwhile).

A batch is written in provider-id order, so batches of two processes lock the same rows in the
same order and never deadlock each other; a failed batch is written again one callback at a
time, so one bad callback fails alone.
"""

from __future__ import annotations

import asyncio
import logging

from core.clock import Clock
from core.messages import Channel
from storage.database import Database
from storage.repositories.outbound import OutboundMessageRepository, StatusUpdate

logger = logging.getLogger(__name__)

_Waiting = tuple[StatusUpdate, asyncio.Future[None]]


class StatusWriter:
    def __init__(self, db: Database, clock: Clock, *, max_batch: int = 500,
                 writers: int = 2,
                 repository: OutboundMessageRepository | None = None) -> None:
        self._db = db
        self._clock = clock
        self._repo = repository or OutboundMessageRepository()
        self._max_batch = max_batch
        self._writers = writers  # batches written at once (each on its own connection)
        self._queue: list[_Waiting] = []
        self._running = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.batches = 0  # written so far (benchmarks)

    async def record(self, update: StatusUpdate) -> None:
        """Return once the callback is committed (raises what its write raised)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((update, done))
        if self._running < self._writers:
            self._running += 1
            task = asyncio.create_task(self._write_queued())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        await done

    async def _write_queued(self) -> None:
        try:
            while self._queue:
                batch, self._queue = (self._queue[:self._max_batch],
                                      self._queue[self._max_batch:])
                await self._write(batch)
        finally:
            self._running -= 1

    async def _write(self, batch: list[_Waiting]) -> None:
        ordered = sorted(batch, key=lambda item: item[0].provider_id)  # stable: arrival order
        try:
            await self._commit([update for update, _ in ordered])
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch, failure=exc)
                return
            logger.warning("Status %d panggilan balik gagal ditulis bersama; ditulis satu per "
                           "satu", len(batch), exc_info=True)
            for item in ordered:
                await self._write([item])
            return
        self.batches += 1
        _settle(batch)

    async def _commit(self, updates: list[StatusUpdate]) -> None:
        async with self._db.transaction() as conn:
            await self._repo.record_statuses(conn, updates, channel=Channel.WHATSAPP,
                                             now=self._clock.now())


def _settle(batch: list[_Waiting], *, failure: BaseException | None = None) -> None:
    for _, done in batch:
        if done.done():
            continue
        if failure is None:
            done.set_result(None)
        else:
            done.set_exception(failure)
