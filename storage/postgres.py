"""PostgreSQL behind the storage seam: a psycopg 3 connection pool, a transaction per unit of
work, SQL translated from the one shared dialect (storage/sql.py).

Several processes may share the database: nothing here caches rows, a sender's turns are
serialised by a transaction-scoped advisory lock (`lock_sender`), and every process may write
at once (PostgreSQL's row locks, not one writer lock, keep transactions apart).
"""

from __future__ import annotations

import contextvars
import logging
import math
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import psycopg
import psycopg.abc
from psycopg import adapt, pq
from psycopg.adapt import Transformer
from psycopg.generators import execute as _execute
from psycopg_pool import AsyncConnectionPool

from storage.connection import Cursor, CursorResult, Dialect, lock_until_commit
from storage.errors import DatabaseUnavailable
from storage.sql import postgres_params, to_numbered, to_postgres
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


def _row_maker(result: pq.abc.PGresult | None) -> Callable[[Sequence[Any]], PgRow]:
    # Names straight from the libpq result: `cursor.description` builds a Column object per
    # column on every call, a tenth of a turn's client CPU before this.
    names = tuple(result.fname(i) or b"" for i in range(result.nfields)) if result else ()
    index = _INDEXES.get(names)
    if index is None:
        index = {name.decode(): i for i, name in enumerate(names)}
        if len(_INDEXES) < 1024:
            _INDEXES[names] = index

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(values, index)

    return make


def _row_factory(cursor: Any) -> Any:
    """psycopg's row factory for the raw connections (`PostgresDatabase.connection`)."""
    return _row_maker(cursor.pgresult)


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


class SpiConnection(psycopg.AsyncConnection[Any]):
    """A pooled connection and the statements PREPAREd on it (`PgConnection.render`).

    psycopg's own automatic preparing is off on the pool (`prepare_threshold=None`): it would
    `DEALLOCATE ALL` after a rollback, taking ours with it unseen. `stale`: an error left
    unknown which of ours exist: they are forgotten at once, and the next text sent starts
    with `DEALLOCATE ALL`."""

    prepared: set[str]
    stale: bool
    loader: psycopg.abc.Transformer  # loads a result's values with the adapters of `_adapt`


# (statement as PostgreSQL text, the PREPARE's parameter types) -> its name, the same on every
# connection of this process; statements PostgreSQL refused to prepare (a parameter whose type
# it cannot infer, such as `? IS NULL`) are sent with literals instead, as before.
_NAMES: dict[tuple[str, tuple[str, ...]], str] = {}
_UNPREPARABLE: set[str] = set()
_MAX_NAMES = 2048  # a safety net: the code has a few hundred statements
_INT8 = range(-(2 ** 63), 2 ** 63)
# SQLSTATEs of a PREPARE the server cannot type: indeterminate_datatype, datatype_mismatch,
# undefined_function, ambiguous_function, ambiguous_parameter.
_UNTYPABLE = {"42P18", "42804", "42883", "42725", "42P08"}


def _literal(value: Any) -> tuple[str, str] | None:
    """(SQL literal, PREPARE parameter type) for the common Python values, without psycopg's
    adaptation machinery (a tenth of a turn's client CPU); None for anything else. Strings
    are quoted by doubling quotes, right under standard_conforming_strings (set on every
    connection); a NUL, which PostgreSQL's text cannot hold, is left to psycopg to refuse.
    'unknown' lets PostgreSQL type the parameter from its context, as psycopg does for a
    str and as a quoted literal is."""
    if isinstance(value, str):
        if "\x00" in value:
            return None
        return "'" + value.replace("'", "''") + "'", "unknown"
    if value is None:
        return "NULL", "unknown"
    kind = type(value)
    if kind is bool:
        return ("1" if value else "0"), "bigint"
    if kind is int and value in _INT8:
        return str(value), "bigint"
    if kind is float and math.isfinite(value):
        return repr(value), "double precision"
    return None


class _Rows:
    """A statement's result, its rows already loaded (the storage seam's Cursor)."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows, self.rowcount = rows, rowcount

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    def __aiter__(self) -> _Rows:
        return self

    async def __anext__(self) -> Any:
        if not self._rows:
            raise StopAsyncIteration
        return self._rows.pop(0)


class _PgResult:
    """`await conn.execute(...)` or `async with conn.execute(...) as cur`."""

    __slots__ = ("_conn", "_params", "_sql")

    def __init__(self, conn: PgConnection, sql: str,
                 params: Iterable[Any] | dict[str, Any]) -> None:
        self._conn, self._sql, self._params = conn, sql, params

    async def _run(self) -> Cursor:
        conn = self._conn
        return await conn.send_ahead_with(conn.render(self._sql, self._params))

    def __await__(self) -> Generator[Any, None, Cursor]:
        return self._run().__await__()

    async def __aenter__(self) -> Cursor:
        return await self._run()

    async def __aexit__(self, *exc: object) -> None:
        pass


class PgConnection:
    """A pooled psycopg connection seen through the storage seam (storage/connection.py).

    What a statement costs on PostgreSQL is its round trip (a wake-up of the server process
    and ~0.1 ms of psycopg CPU on this VM) and, on the server, parsing and planning it
    (a third of the server's CPU per turn when every statement was new text:
    docs/benchmarks.md). So:
    - every statement goes out as text in the simple protocol, which takes several in one
      message: statements whose results nobody reads (the transaction's BEGIN, the sender's
      lock, a write nothing reads back) wait in `ahead` and go out in front of the next
      statement, in the same round trip; so do the writes queued for the commit, with the
      COMMIT itself;
    - a statement is PREPAREd once per connection (sent in front of its first use) and then
      sent as `EXECUTE name(literals)`: the server neither parses nor plans it again;
    - its parameters are SQL literals (`_literal`, psycopg's quoting for other types).
    """

    __slots__ = ("_literals", "_pending", "ahead", "raw", "scope_id", "worker")
    dialect: Dialect = "postgresql"

    def __init__(self, raw: SpiConnection, *, begin: bool = False) -> None:
        self.raw = raw
        self.ahead: list[str] = ["BEGIN"] if begin else []
        self._literals: psycopg.AsyncClientCursor[Any] | None = None
        # PREPAREs rendered into texts not yet sent (or whose round trip is not over):
        # name -> statement text.
        self._pending: dict[str, str] = {}
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
        """Each row's statement, a thousand to a round trip."""
        texts = [self.render(sql, row) for row in rows]
        for start in range(0, len(texts), 1000):
            await self.send_ahead_with("\n;\n".join(texts[start:start + 1000]))
        if not texts and self.ahead:
            await self.send_ahead_with(None)

    async def fetch_together(self, statements: Sequence[Statement]) -> list[list[Any]]:
        """Each statement's rows; the statements (and those waiting `ahead`) in one round
        trip, one after the other, each seeing what the ones before it did and waited for."""
        texts = [self.render(sql, params) for sql, params in statements]
        results = [result for result in await self._send([*self.ahead, *texts])
                   if result.command_status not in _NOT_RESULTS]
        self.ahead = []
        return [self._load(result) for result in results[len(results) - len(texts):]]

    def render(self, sql: str, params: Iterable[Any] | dict[str, Any]) -> str:
        """One statement as text: `EXECUTE name(literals)` once prepared on this connection
        (with the PREPARE in front the first time), the statement with literals otherwise."""
        query, keys = to_numbered(sql)
        if not keys:
            return sql
        values = (tuple(params[k] for k in keys) if isinstance(params, dict)  # type: ignore[index]
                  else _pick(tuple(params), keys))
        literals, types = [], []
        for value in values:
            rendered = _literal(value)
            if rendered is None:
                return self._with_literals(sql, params)
            literals.append(rendered[0])
            types.append(rendered[1])
        name = _NAMES.get((query, signature := tuple(types)))
        if name is None or query in _UNPREPARABLE:
            if query in _UNPREPARABLE or len(_NAMES) >= _MAX_NAMES:
                return self._with_literals(sql, params)
            name = _NAMES[(query, signature)] = f"spi_{len(_NAMES)}"
        text = f"EXECUTE {name}({', '.join(literals)})"
        if name in self.raw.prepared or name in self._pending:
            return text
        self._pending[name] = query
        return f"PREPARE {name} ({', '.join(types)}) AS {query}\n;\n{text}"

    def _with_literals(self, sql: str, params: Iterable[Any] | dict[str, Any]) -> str:
        query, style = to_postgres(sql)
        if self._literals is None:
            self._literals = psycopg.AsyncClientCursor(self.raw)
        return self._literals.mogrify(query, postgres_params(style, params))

    def later_ahead(self, sql: str, params: Iterable[Any] | dict[str, Any]) -> None:
        """Send this statement, whose result nobody reads, in front of the next one."""
        self.ahead.append(self.render(sql, params))

    async def send_ahead_with(self, text: str | None) -> _Rows:
        """What waits `ahead`, then `text` (if any), as one query: the last statement's
        result."""
        parts = [*self.ahead, text] if text is not None else self.ahead
        self.ahead = []
        result = (await self._send(parts))[-1]
        return _Rows(self._load(result), _rowcount(result))

    def _load(self, result: pq.abc.PGresult) -> list[Any]:
        if result.status != _TUPLES_OK:
            return []  # a statement without rows (INSERT without RETURNING)
        loader = self.raw.loader
        loader.set_pgresult(result)
        return list(loader.load_rows(0, result.ntuples, _row_maker(result)))

    async def _send(self, parts: list[str]) -> list[pq.abc.PGresult]:
        """The texts as one simple query, straight on libpq (psycopg's cursor costs ~40 us
        more per round trip here); keeps the connection's account of its prepared statements
        (see SpiConnection). Raises the first failed statement's error."""
        raw = self.raw
        if raw.stale:  # what is rendered since prepares anew
            parts = ["DEALLOCATE ALL", *parts]
        try:
            raw.pgconn.send_query("\n;\n".join(parts).encode())
            results: list[pq.abc.PGresult] = list(await raw.wait(_execute(raw.pgconn)))
            for result in results:
                if result.status not in _SUCCESS:
                    raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)
        except BaseException as exc:
            raw.stale = True
            raw.prepared.clear()
            if isinstance(exc, psycopg.Error) and exc.sqlstate in _UNTYPABLE:
                _UNPREPARABLE.update(self._pending.values())
            self._pending.clear()
            raise
        raw.stale = False
        raw.prepared.update(self._pending)
        self._pending.clear()
        return results

    async def commit(self, writes: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> None:
        """The queued writes and the COMMIT, with what waits `ahead`, in one round trip."""
        texts = [self.render(sql, row) for sql, rows in writes for row in rows]
        if self.ahead == ["BEGIN"] and not texts:
            self.ahead = []  # nothing was sent: there is no transaction to commit
            return
        if self.ahead or texts:
            await self.send_ahead_with("\n;\n".join([*texts, "COMMIT"]))
        else:
            await self.raw.commit()

    async def rollback(self) -> None:
        self.ahead = []
        self._pending.clear()  # rendered, never sent
        await self.raw.rollback()  # only if a transaction reached the server

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != pq.TransactionStatus.IDLE


def _pick(values: tuple[Any, ...], keys: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(keys) == len(values) and keys == tuple(range(len(values))):
        return values
    return tuple(values[k] for k in keys)


# Results in front of a statement's own: a transaction's start, a PREPARE, a resync.
_NOT_RESULTS = {b"BEGIN", b"PREPARE", b"DEALLOCATE ALL"}
_TUPLES_OK = pq.ExecStatus.TUPLES_OK
_SUCCESS = {pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK, pq.ExecStatus.EMPTY_QUERY}


def _rowcount(result: pq.abc.PGresult) -> int:
    count = result.command_tuples
    return -1 if count is None else count


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
            connection_class=SpiConnection, timeout=30.0, name="spi",
            kwargs={"row_factory": _row_factory, "autocommit": True,
                    "prepare_threshold": None})
        self._opened = False

    @staticmethod
    async def _configure(conn: SpiConnection) -> None:
        _adapt(conn)
        conn.prepared, conn.stale = set(), False
        if conn.info.encoding != "utf-8":
            await conn.execute("SET client_encoding = 'UTF8'")  # `PgConnection._send` encodes
        if conn.info.parameter_status("standard_conforming_strings") != "on":
            await conn.execute("SET standard_conforming_strings = on")  # `_literal` needs it
        conn.loader = Transformer(conn)

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
    async def connection(self) -> AsyncIterator[SpiConnection]:
        """A raw pooled connection (migrations, copies, session-level locks), in psycopg's
        usual mode: a transaction begins by itself and lasts until commit() or rollback()."""
        async with self._pool.connection() as raw:
            await raw.set_autocommit(False)
            raw.stale = True  # DDL here may change what our prepared statements return
            try:
                yield raw
            finally:
                if raw.info.transaction_status in (pq.TransactionStatus.INTRANS,
                                                   pq.TransactionStatus.INERROR):
                    await raw.rollback()
                # Back to the pool's autocommit here, not in a pool `reset` hook that would
                # cost every turn's checkout ~15 us.
                await raw.set_autocommit(True)

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
