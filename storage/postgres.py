"""PostgreSQL behind the storage seam: a psycopg 3 connection pool, a transaction per unit of
work, SQL translated from the one shared dialect (storage/sql.py).

Several processes may share the database: nothing here caches rows, a sender's turns are
serialised by a transaction-scoped advisory lock (`lock_sender`), and every process may write
at once (PostgreSQL's row locks, not one writer lock, keep transactions apart).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncIterator, Generator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg import adapt, pq
from psycopg_pool import AsyncConnectionPool

from storage.connection import Cursor, CursorResult, Dialect
from storage.errors import DatabaseUnavailable
from storage.sql import ParamStyle, postgres_params, to_postgres
from storage.write_batch import Statement, WriteBatch

logger = logging.getLogger(__name__)

# The write batch of the transaction running in this task (`Database.later`).
_current_batch: contextvars.ContextVar[WriteBatch | None] = contextvars.ContextVar(
    "spi_pg_batch", default=None)


class PgRow(tuple[Any, ...]):
    """A row readable by position and by column name, like sqlite3.Row."""

    _index: dict[str, int]

    def __new__(cls, values: Sequence[Any], index: dict[str, int]) -> PgRow:
        row = super().__new__(cls, values)
        row._index = index
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    description = cursor.description or ()
    index = {column.name: i for i, column in enumerate(description)}

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(values, index)

    return make


class _BoolAsInteger(adapt.Dumper):
    """Flags are INTEGER 0/1 columns on both backends; a Python bool goes in as 0/1."""

    oid = psycopg.postgres.types["int8"].oid

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class _NumericAsNumber(adapt.Loader):
    """SUM over BIGINT gives NUMERIC on PostgreSQL; the code expects int (SQLite's answer)."""

    def load(self, data: Any) -> Any:
        text = bytes(data).decode()
        if "." in text or "e" in text.lower() or text in ("NaN", "Infinity", "-Infinity"):
            return float(text)
        return int(text)


def _adapt(conn: psycopg.AsyncConnection[Any]) -> None:
    conn.adapters.register_dumper(bool, _BoolAsInteger)
    conn.adapters.register_loader("numeric", _NumericAsNumber)


class _PgResult:
    """`await conn.execute(...)` or `async with conn.execute(...) as cur`."""

    __slots__ = ("_conn", "_cursor", "_params", "_sql")

    def __init__(self, conn: psycopg.AsyncConnection[Any], sql: str,
                 params: Iterable[Any] | dict[str, Any]) -> None:
        self._conn, self._sql, self._params = conn, sql, params
        self._cursor: psycopg.AsyncCursor[Any] | None = None

    async def _run(self) -> Cursor:
        query, style = to_postgres(self._sql)
        cursor = self._conn.cursor()
        params = None if style == ParamStyle.NONE else postgres_params(style, self._params)
        # Without parameters psycopg leaves the text (and its % signs) alone.
        await cursor.execute(query, params)
        self._cursor = cursor
        return cursor

    def __await__(self) -> Generator[Any, None, Cursor]:
        return self._run().__await__()

    async def __aenter__(self) -> Cursor:
        return await self._run()

    async def __aexit__(self, *exc: object) -> None:
        if self._cursor is not None:
            await self._cursor.close()


class PgConnection:
    """A pooled psycopg connection seen through the storage seam (storage/connection.py)."""

    __slots__ = ("raw",)
    dialect: Dialect = "postgresql"

    def __init__(self, raw: psycopg.AsyncConnection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Iterable[Any] | dict[str, Any] = ()
                ) -> CursorResult:
        return _PgResult(self.raw, sql, parameters)

    async def execute_fetchall(self, sql: str,
                               parameters: Iterable[Any] | dict[str, Any] = ()) -> Any:
        async with _PgResult(self.raw, sql, parameters) as cursor:
            return await cursor.fetchall()

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        query, style = to_postgres(sql)
        params = [postgres_params(style, row) for row in rows]
        async with self.raw.cursor() as cursor:
            await cursor.executemany(query, params)

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database (see the module docstring)."""

    dialect: Dialect = "postgresql"
    groups = False  # every transaction commits on its own connection

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self.url = url
        self._pool = AsyncConnectionPool(
            url, min_size=min_size, max_size=max_size, open=False, configure=self._configure,
            kwargs={"row_factory": _row_factory}, timeout=30.0, name="spi")
        self._opened = False

    @staticmethod
    async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
        _adapt(conn)

    async def open(self) -> None:
        try:
            await self._pool.open(wait=True, timeout=15.0)
        except Exception as exc:
            await self._pool.close()
            raise DatabaseUnavailable(str(exc).splitlines()[0] if str(exc) else
                                      type(exc).__name__) from exc
        self._opened = True

    async def close(self) -> None:
        await self._pool.close()
        self._opened = False

    async def __aenter__(self) -> PostgresDatabase:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[psycopg.AsyncConnection[Any]]:
        """A raw pooled connection (migrations, copies, session-level locks)."""
        async with self._pool.connection() as raw:
            yield raw

    @asynccontextmanager
    async def transaction(self, *, group: bool = False) -> AsyncIterator[PgConnection]:
        """One transaction on its own connection: committed (after the queued `later`
        writes) on success, rolled back on any error. `group` means nothing here."""
        del group
        async with self._pool.connection() as raw:
            conn = PgConnection(raw)
            batch = WriteBatch()
            token = _current_batch.set(batch)
            try:
                yield conn
                if batch:
                    await batch.flush(conn)
                await raw.commit()
            except BaseException:
                batch.clear()
                await raw.rollback()
                raise
            finally:
                _current_batch.reset(token)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[PgConnection]:
        """A connection for reads outside any write transaction (committed data only)."""
        async with self._pool.connection() as raw:
            try:
                yield PgConnection(raw)
            finally:
                await raw.rollback()

    def later(self, statement: Statement) -> None:
        self.batch.add(statement)

    @property
    def batch(self) -> WriteBatch:
        batch = _current_batch.get()
        if batch is None:
            raise RuntimeError("later() di luar transaksi")
        return batch

    @asynccontextmanager
    async def exclusive(self, name: str) -> AsyncIterator[bool]:
        """A session advisory lock on a connection kept for the purpose (outside the pool):
        the server frees it when that connection ends, however the process died."""
        conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)
        try:
            cur = await conn.execute(
                "SELECT pg_try_advisory_lock(hashtext(current_schema()), hashtext(%s))",
                (f"spi:{name}",))
            row = await cur.fetchone()
            yield bool(row and row[0])
        finally:
            await conn.close()

    async def lock_sender(self, conn: Any, key: str) -> None:
        """Wait for, then hold until the commit, the sender's advisory lock: another process
        handling the same sender's next message waits here. The schema keys the lock, so
        databases sharing a server (tests) do not wait on each other."""
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext(?))", (key,))

