"""The storage seam: what repositories may do with a connection, on SQLite and PostgreSQL alike.

Repositories write their SQL once, in SQLite's parameter style (`?`, `?1`, `:name`); on
PostgreSQL the connection translates it (storage/sql.py). What both dialects must agree on is
listed in storage/sql.py's docstring. A row reads by position and by column name on both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Generator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, Protocol, cast

Dialect = Literal["sqlite", "postgresql"]


class Row(Protocol):
    """A result row: `row[0]`, `row["name"]`, `row.keys()`, iteration over the values."""

    def __getitem__(self, key: Any) -> Any: ...

    def keys(self) -> list[str]: ...

    def __iter__(self) -> Any: ...

    def __len__(self) -> int: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    async def fetchone(self) -> Any: ...

    async def fetchall(self) -> Any: ...

    def __aiter__(self) -> AsyncIterator[Any]: ...


class CursorResult(Awaitable[Cursor], AbstractAsyncContextManager[Cursor], Protocol):
    """What `execute` returns: await it, or use it in `async with`."""

    def __await__(self) -> Generator[Any, None, Cursor]: ...


def for_update(conn: Connection) -> str:
    """` FOR UPDATE` on PostgreSQL, where transactions run side by side and a read that decides
    a write must lock its row; nothing on SQLite, whose one writer already excludes others."""
    return " FOR UPDATE" if conn.dialect == "postgresql" else ""


class Connection(Protocol):
    """One connection inside a transaction (or a read-only one from `Database.reading`)."""

    @property
    def dialect(self) -> Dialect: ...

    def execute(self, sql: str, parameters: Iterable[Any] | dict[str, Any] = ()
                ) -> CursorResult: ...

    async def execute_fetchall(self, sql: str,
                               parameters: Iterable[Any] | dict[str, Any] = ()) -> Any: ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    @property
    def in_transaction(self) -> bool: ...


class _Ahead(Protocol):
    def later_ahead(self, sql: str, params: Sequence[Any]) -> None: ...


def lock_until_commit(conn: Connection, key: str) -> None:
    """PostgreSQL: hold an advisory lock on `key` until the transaction ends, waited for just
    before the transaction's next statement (sent with it, in one round trip). The schema keys
    it too, so databases sharing a server (tests) do not wait on each other. Nothing on
    SQLite, whose single writer already runs transactions one after the other."""
    if conn.dialect == "postgresql":
        cast(_Ahead, conn).later_ahead(
            "SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext(?))", (key,))


async def write_soon(conn: Connection, sql: str, params: Sequence[Any]) -> None:
    """A write whose result nobody reads. PostgreSQL sends it in front of the transaction's
    next statement, or with its COMMIT, in that round trip: every later statement of the
    transaction sees it, and its error, if any, surfaces there and rolls the transaction back
    all the same. SQLite runs it now."""
    if conn.dialect == "postgresql":
        cast(_Ahead, conn).later_ahead(sql, params)
    else:
        await conn.execute(sql, params)


class _Together(Protocol):
    async def fetch_together(
        self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[Any]]: ...


async def fetch_together(conn: Connection, statements: Sequence[tuple[str, Sequence[Any]]]
                         ) -> list[list[Any]]:
    """Each statement's rows, the statements run in order, each seeing what the ones before it
    did. PostgreSQL sends them (and what its connection holds back to send first, such as a
    sender's lock) in one round trip; SQLite runs them one by one."""
    if conn.dialect == "postgresql":
        return await cast(_Together, conn).fetch_together(statements)
    return [list(await conn.execute_fetchall(sql, params)) for sql, params in statements]
