"""One SQLite database: a writer connection behind a lock and a reader connection (WAL)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from storage.connection import CursorResult, Dialect
from storage.errors import GroupAborted
from storage.write_batch import Statement, WriteBatch

logger = logging.getLogger(__name__)

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    # An erased name or number must not stay readable in the files: deleted rows are
    # overwritten with zeros, and when the WAL starts over (about a second after a write, see
    # _checkpoint_forever) it is cut to nothing instead of keeping old frames that hold them.
    "PRAGMA secure_delete=ON",
    "PRAGMA journal_size_limit=0",
    # Checkpoints copy the WAL into the database and fsync; done inside a commit they stall
    # the writer for tens of milliseconds, so a background connection does them instead.
    "PRAGMA wal_autocheckpoint=0",
)


async def _connect(path: Path, isolation_level: str | None) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, timeout=10, isolation_level=isolation_level)
    conn.row_factory = aiosqlite.Row
    for pragma in _PRAGMAS:
        await conn.execute(pragma)
    return conn


class SqliteConnection:
    """aiosqlite's connection seen through the storage seam (storage/connection.py): the
    methods repositories use, passed straight through."""

    __slots__ = ("raw",)
    dialect: Dialect = "sqlite"

    def __init__(self, raw: aiosqlite.Connection) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Iterable[Any] | dict[str, Any] = ()
                ) -> CursorResult:
        params = parameters if isinstance(parameters, dict) else tuple(parameters)
        return self.raw.execute(sql, params)

    async def execute_fetchall(self, sql: str,
                               parameters: Iterable[Any] | dict[str, Any] = ()) -> Any:
        params = parameters if isinstance(parameters, dict) else tuple(parameters)
        return await self.raw.execute_fetchall(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        await self.raw.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def __getattr__(self, name: str) -> Any:  # tests reach PRAGMAs and sqlite_master
        return getattr(self.raw, name)


class SqliteDatabase:
    """Owns the connections. All writes go through `transaction()`, one at a time.

    aiosqlite runs every statement of one connection on one thread; coroutines sharing it
    would interleave inside one transaction, so a lock makes each transaction exclusive.
    Reads outside a transaction use a second connection and see only committed data.

    Group commit: a `transaction(group=True)` that finishes while others wait for the lock
    leaves its work uncommitted and waits; a committer queued behind the waiters commits them
    all at once (each call to the database thread costs ~0.2 ms here, the commit included).
    If any transaction of the group fails, the whole group is rolled back and the others get
    GroupAborted: they have not told anybody anything yet and simply run again. A failing
    shared commit cannot say whose write broke it, so everyone in the group gets GroupAborted
    and runs again alone, where errors are attributed. A transaction without `group` first
    commits whatever group is pending, so it never shares anyone else's fate.

    `later(statement)` queues a write for the commit (see storage/write_batch.py).
    """

    MAX_GROUP = 128
    CHECKPOINT_EVERY = 1.0  # seconds
    dialect: Dialect = "sqlite"
    groups = True  # transaction(group=True) may share a commit

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._writer_seam: SqliteConnection | None = None
        self._reader_seam: SqliteConnection | None = None
        self._lock = asyncio.Lock()
        self._waiting = 0
        self._group: list[asyncio.Future[None]] = []
        self._committer: asyncio.Task[None] | None = None
        self._checkpointer: asyncio.Task[None] | None = None
        self._checkpoint_conn: aiosqlite.Connection | None = None
        self._batch = WriteBatch()

    async def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The writer lets sqlite3 open the transaction (BEGIN IMMEDIATE) together with the first
        # write of a turn: every aiosqlite call is a thread hop (~0.2 ms on this VM), and a turn's
        # reads before its first write are already isolated by the lock below.
        self._writer = await _connect(self.path, "IMMEDIATE")
        self._reader = await _connect(self.path, None)
        await self._reader.execute("PRAGMA query_only=ON")
        self._writer_seam = SqliteConnection(self._writer)
        self._reader_seam = SqliteConnection(self._reader)
        self._checkpoint_conn = await _connect(self.path, None)
        self._checkpointer = asyncio.get_running_loop().create_task(
            self._checkpoint_forever(self._checkpoint_conn))

    async def _checkpoint_forever(self, conn: aiosqlite.Connection) -> None:
        """Copy the WAL into the database every second without stopping the writer, then
        catch up on what was written meanwhile with the writer paused for that short rest.

        The WAL starts over from its beginning only when a checkpoint got to its end; under
        steady writes the unpaused checkpoint never does, and the file grew by ~10 MB/s.
        """
        while True:
            await asyncio.sleep(self.CHECKPOINT_EVERY)
            await conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
            async with self._lock:
                await conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")

    async def close(self) -> None:
        if self._committer is not None:
            await self._committer
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            await asyncio.gather(self._checkpointer, return_exceptions=True)
            self._checkpointer = None
        # The others first: a transaction left open (rolled back by the close) would make the
        # final checkpoint wait out the whole busy timeout.
        for conn in (self._reader, self._writer):
            if conn is not None:
                await conn.close()
        if self._checkpoint_conn is not None:
            await self._checkpoint_conn.execute_fetchall("PRAGMA wal_checkpoint(TRUNCATE)")
            await self._checkpoint_conn.close()
        self._checkpoint_conn = self._reader = self._writer = None
        self._reader_seam = self._writer_seam = None

    async def __aenter__(self) -> SqliteDatabase:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def writer(self) -> SqliteConnection:
        if self._writer_seam is None:
            raise RuntimeError("Database is not open")
        return self._writer_seam

    async def lock_sender(self, conn: object, key: str) -> None:
        """Nothing to do: one process owns a SQLite file and its sender locks order turns."""

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[bool]:
        """An OS lock on `<database>.<name>.lock`, which the kernel frees even after SIGKILL."""
        from filelock import FileLock, Timeout  # noqa: PLC0415 - only the worker needs it

        lock = FileLock(f"{self.path}.{name}.lock")
        try:
            lock.acquire(timeout=0)
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    @asynccontextmanager
    async def transaction(self, *, group: bool = False) -> AsyncIterator[SqliteConnection]:
        """An exclusive write transaction: committed on success, rolled back on any error.

        With `group=True` the commit may be shared with the transactions queued behind this
        one; the context exits only once the work is committed (or raises GroupAborted).
        """
        self._waiting += 1
        try:
            await self._lock.acquire()
        finally:
            self._waiting -= 1
        joined: asyncio.Future[None] | None = None
        try:
            conn = self.writer
            if not group and (self._group or self._batch):
                await self._commit_pending(conn)
            try:
                yield conn
            except BaseException:
                await self._rollback_group(conn)
                raise
            if group and self._waiting and len(self._group) < self.MAX_GROUP:
                joined = asyncio.get_running_loop().create_future()
                self._group.append(joined)
                self._queue_committer()
            elif group:
                if not await self._commit_pending(conn):
                    raise GroupAborted()
            else:
                await self._commit_group(conn)
        finally:
            self._lock.release()
        if joined is not None:
            await joined

    def later(self, statement: Statement) -> None:
        """Queue a write of the current transaction to run just before its commit."""
        self._batch.add(statement)

    @property
    def batch(self) -> WriteBatch:
        """The writes queued for the writer's next commit (`later`)."""
        return self._batch

    async def _commit_group(self, conn: SqliteConnection) -> None:
        try:
            if self._batch:
                await self._batch.flush(conn)
            if conn.raw.in_transaction:
                await conn.raw.commit()
        except BaseException:
            await self._rollback_group(conn)
            raise
        group, self._group = self._group, []
        for waiter in group:
            if not waiter.done():
                waiter.set_result(None)

    async def _commit_pending(self, conn: SqliteConnection) -> bool:
        """Commit the queued group; False (and everyone told GroupAborted) if that failed."""
        try:
            await self._commit_group(conn)
        except Exception:
            logger.warning("Commit bersama gagal; tiap transaksi diulang sendiri-sendiri",
                           exc_info=True)
            return False
        return True

    async def _rollback_group(self, conn: SqliteConnection) -> None:
        self._batch.clear()
        await conn.raw.rollback()
        group, self._group = self._group, []
        for waiter in group:
            if not waiter.done():
                waiter.set_exception(GroupAborted())

    def _queue_committer(self) -> None:
        """Make sure someone commits the group even if every waiter gives up."""
        if self._committer is None or self._committer.done():
            self._committer = asyncio.get_running_loop().create_task(self._commit_when_free())

    async def _commit_when_free(self) -> None:
        async with self._lock:
            if self._group:
                await self._commit_pending(self.writer)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[SqliteConnection]:
        """A connection for reads outside any write transaction."""
        if self._reader_seam is None:
            raise RuntimeError("Database is not open")
        yield self._reader_seam
