"""Single-hop reads: aiosqlite ships every call to its worker thread, so one call per query."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from storage.connection import Connection, Row


async def fetch_one(
    conn: Connection, sql: str, params: Iterable[Any] = ()
) -> Row | None:
    rows = await conn.execute_fetchall(sql, tuple(params))
    return next(iter(rows), None)


async def fetch_all(
    conn: Connection, sql: str, params: Iterable[Any] = ()
) -> list[Row]:
    return list(await conn.execute_fetchall(sql, tuple(params)))


async def fetch_value(
    conn: Connection, sql: str, params: Iterable[Any] = ()
) -> Any:
    row = await fetch_one(conn, sql, params)
    return row[0] if row is not None else None
