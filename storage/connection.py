"""The storage seam: what repositories may do with a connection, on SQLite and PostgreSQL alike.

Repositories write their SQL once, in SQLite's parameter style (`?`, `?1`, `:name`); on
PostgreSQL the connection translates it (storage/sql.py). What both dialects must agree on is
listed in storage/sql.py's docstring. A row reads by position and by column name on both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Generator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Literal, Protocol

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
