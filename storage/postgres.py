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

from storage.connection import Cursor, CursorResult, Dialect, lock_until_commit
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


# Column names -> their positions, per result shape (a few dozen queries in all).
_INDEXES: dict[tuple[bytes, ...], dict[str, int]] = {}


def _row_factory(cursor: Any) -> Any:
    # Names straight from the libpq result: `cursor.description` builds a Column object per
    # column on every call, a tenth of a turn's client CPU before this.
    result = cursor.pgresult
    names = tuple(result.fname(i) or b"" for i in range(result.nfields)) if result else ()
    index = _INDEXES.get(names)
    if index is None:
        index = {name.decode(): i for i, name in enumerate(names)}
        if len(_INDEXES) < 1024:
            _INDEXES[names] = index

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

    def __init__(self, conn: PgConnection, sql: str,
                 params: Iterable[Any] | dict[str, Any]) -> None:
        self._conn, self._sql, self._params = conn, sql, params
        self._cursor: psycopg.AsyncCursor[Any] | None = None

    async def _run(self) -> Cursor:
        conn = self._conn
        if conn.ahead:
            self._cursor = await conn.send_ahead_with(conn.render(self._sql, self._params))
            return self._cursor
        query, style = to_postgres(self._sql)
        cursor = conn.raw.cursor()
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
    """A pooled psycopg connection seen through the storage seam (storage/connection.py).

    Round trips are what a turn costs on PostgreSQL (each ~0.14 ms of psycopg CPU and a
    wake-up of the server process on this VM, docs/benchmarks.md), so statements whose results
    nobody reads (the transaction's BEGIN, the sender's lock) wait in `ahead` and go out in
    front of the next statement, as one query text; so do the writes queued for the commit,
    with the COMMIT itself. Such a text carries its parameters as literals, rendered by
    psycopg (`ClientCursor.mogrify`): PostgreSQL takes several statements in one message only
    without separate parameters. Every other statement is sent as before, its parameters
    apart, and prepared by psycopg once it has run a few times on the connection.
    """

    __slots__ = ("_literals", "ahead", "raw", "scope_id", "worker")
    dialect: Dialect = "postgresql"

    def __init__(self, raw: psycopg.AsyncConnection[Any], *, begin: bool = False) -> None:
        self.raw = raw
        self.ahead: list[str] = ["BEGIN"] if begin else []
        self._literals: psycopg.AsyncClientCursor[Any] | None = None
        self.scope_id: int | None = None
        self.worker = False  # switched to spi_worker in this transaction at some point

    def enter_scope(self, institution_id: int) -> None:
        """From the next statement on, until the transaction ends: the `spi_app` role, which
        sees only rows of `institution_id` (migration 0023's policies). Sent in front of the
        next statement, so it costs no round trip. A read-only connection gets a transaction
        for it (rolled back when `reading` ends)."""
        if self.scope_id == institution_id:
            return
        if self.scope_id is None and not self.worker and not self.ahead \
                and not self.in_transaction:
            self.ahead.append("BEGIN")
        self.ahead.append("SET LOCAL ROLE spi_app")
        self.ahead.append(
            f"SELECT set_config('spi.institution_id', '{int(institution_id)}', true)")
        self.scope_id = institution_id

    def enter_worker(self) -> None:
        """From the next statement on, until the transaction ends (or a scope is entered): the
        `spi_worker` role, which crosses institutions (migration 0023), rather than the table
        owner. For the delivery worker and the retention purge."""
        if self.worker and self.scope_id is None:
            return
        if self.scope_id is None and not self.worker and not self.ahead \
                and not self.in_transaction:
            self.ahead.append("BEGIN")
        self.ahead.append("SET LOCAL ROLE spi_worker")
        self.worker = True
        self.scope_id = None

    def execute(self, sql: str, parameters: Iterable[Any] | dict[str, Any] = ()
                ) -> CursorResult:
        return _PgResult(self, sql, parameters)

    async def execute_fetchall(self, sql: str,
                               parameters: Iterable[Any] | dict[str, Any] = ()) -> Any:
        async with _PgResult(self, sql, parameters) as cursor:
            return await cursor.fetchall()

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        query, style = to_postgres(sql)
        params = [postgres_params(style, row) for row in rows]
        if self.ahead:
            await (await self.send_ahead_with(None)).close()
        async with self.raw.cursor() as cursor:
            await cursor.executemany(query, params)

    async def fetch_together(self, statements: Sequence[Statement]) -> list[list[Any]]:
        """Each statement's rows; the statements (and those waiting `ahead`) in one round
        trip, one after the other, each seeing what the ones before it did and waited for."""
        texts = [self.render(sql, params) for sql, params in statements]
        skip = len(self.ahead)
        text = "\n;\n".join([*self.ahead, *texts])
        self.ahead = []
        async with self.raw.cursor() as cursor:
            await cursor.execute(text, prepare=False)
            for _ in range(skip):
                cursor.nextset()
            results = [await _fetch(cursor)]
            while cursor.nextset():
                results.append(await _fetch(cursor))
        return results

    def render(self, sql: str, params: Iterable[Any] | dict[str, Any]) -> str:
        """One statement with its parameters as SQL literals (psycopg's quoting)."""
        query, style = to_postgres(sql)
        if style == ParamStyle.NONE:
            return sql
        if self._literals is None:
            self._literals = psycopg.AsyncClientCursor(self.raw)
        return self._literals.mogrify(query, postgres_params(style, params))

    def later_ahead(self, sql: str, params: Iterable[Any] | dict[str, Any]) -> None:
        """Send this statement, whose result nobody reads, in front of the next one."""
        self.ahead.append(self.render(sql, params))

    async def send_ahead_with(self, text: str | None) -> psycopg.AsyncCursor[Any]:
        """What waits `ahead`, then `text` (if any), as one query; the cursor is left on the
        last statement's result."""
        parts = [*self.ahead, text] if text is not None else self.ahead
        self.ahead = []
        cursor = self.raw.cursor()
        await cursor.execute("\n;\n".join(parts), prepare=False)
        while cursor.nextset():
            pass
        return cursor

    async def commit(self, writes: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> None:
        """The queued writes and the COMMIT, with what waits `ahead`, in one round trip."""
        texts = [self.render(sql, row) for sql, rows in writes for row in rows]
        if self.ahead == ["BEGIN"] and not texts:
            self.ahead = []  # nothing was sent: there is no transaction to commit
            return
        if self.ahead or texts:
            cursor = await self.send_ahead_with("\n;\n".join([*texts, "COMMIT"]))
            await cursor.close()
        else:
            await self.raw.commit()

    async def rollback(self) -> None:
        self.ahead = []
        await self.raw.rollback()  # only if a transaction reached the server

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE


async def _fetch(cursor: psycopg.AsyncCursor[Any]) -> list[Any]:
    result = cursor.pgresult
    if result is None or result.status != pq.ExecStatus.TUPLES_OK:
        return []  # a statement without rows (INSERT without RETURNING)
    return await cursor.fetchall()


class PostgresDatabase:
    """A pool of connections to one PostgreSQL database (see the module docstring)."""

    dialect: Dialect = "postgresql"
    groups = False  # every transaction commits on its own connection

    def __init__(self, url: str, *, min_size: int = 1, max_size: int = 10) -> None:
        self.url = url
        # Autocommit: a transaction's BEGIN is sent by `transaction` with its first statement
        # (PgConnection.ahead), and a read outside a transaction needs neither BEGIN nor
        # ROLLBACK (under READ COMMITTED each statement reads its own snapshot either way).
        self._pool = AsyncConnectionPool(
            url, min_size=min_size, max_size=max_size, open=False, configure=self._configure,
            reset=self._reset, kwargs={"row_factory": _row_factory, "autocommit": True},
            timeout=30.0, name="spi")
        self._opened = False

    @staticmethod
    async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
        _adapt(conn)

    @staticmethod
    async def _reset(conn: psycopg.AsyncConnection[Any]) -> None:
        """Back in the pool: autocommit again after `connection()` (no round trip)."""
        if not conn.autocommit:
            await conn.set_autocommit(True)

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
        """A raw pooled connection (migrations, copies, session-level locks), in psycopg's
        usual mode: a transaction begins by itself and lasts until commit() or rollback()."""
        async with self._pool.connection() as raw:
            await raw.set_autocommit(False)  # back to autocommit in the pool's `_reset`
            try:
                yield raw
            finally:
                if raw.info.transaction_status in (pq.TransactionStatus.INTRANS,
                                                   pq.TransactionStatus.INERROR):
                    await raw.rollback()

    @asynccontextmanager
    async def transaction(self, *, group: bool = False) -> AsyncIterator[PgConnection]:
        """One transaction on its own connection: committed (after the queued `later`
        writes) on success, rolled back on any error. `group` means nothing here.

        BEGIN goes out with the first statement, the queued writes with the COMMIT, so a
        transaction costs no round trip of its own (PgConnection)."""
        del group
        async with self._pool.connection() as raw:
            conn = PgConnection(raw, begin=True)
            batch = WriteBatch()
            token = _current_batch.set(batch)
            try:
                yield conn
                await conn.commit(batch.take())
            except BaseException:
                batch.clear()
                await conn.rollback()
                raise
            finally:
                _current_batch.reset(token)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[PgConnection]:
        """A connection for reads outside any write transaction (committed data only)."""
        async with self._pool.connection() as raw:
            conn = PgConnection(raw)
            try:
                yield conn
            finally:
                if conn.scope_id is not None or conn.worker:  # a role opened a transaction
                    conn.ahead = []
                    if conn.in_transaction:
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
        """Hold until the commit the sender's advisory lock, waited for before the turn's next
        statement (sent with it): another process handling the same sender's next message
        waits there."""
        lock_until_commit(conn, key)
