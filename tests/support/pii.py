"""Scanning every text column of every table for traces of a person."""

from __future__ import annotations

from typing import Any

from bot.app import App


async def table_names(conn: Any) -> list[str]:
    """The tables of the schema, on either backend, in name order."""
    if conn.dialect == "postgresql":
        sql = ("SELECT table_name FROM information_schema.tables "
               "WHERE table_schema = current_schema() ORDER BY 1")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1"
    return [row[0] for row in await conn.execute_fetchall(sql)]


async def column_names(conn: Any, table: str) -> list[str]:
    if conn.dialect == "postgresql":
        rows = await conn.execute_fetchall(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = ? ORDER BY ordinal_position", (table,))
        return [row[0] for row in rows]
    return [row[1] for row in await conn.execute_fetchall(f"PRAGMA table_info({table})")]


async def traces(app: App, *needles: str) -> list[str]:
    """`table.column` places where any needle still appears (case-insensitive)."""
    found = []
    wanted = [n.lower() for n in needles]
    async with app.db.reading() as conn:
        for table in await table_names(conn):
            for column in await column_names(conn, table):
                async with conn.execute(f"SELECT {column} FROM {table}") as cur:  # noqa: S608
                    values = [str(row[0]).lower() for row in await cur.fetchall()
                              if row[0] is not None]
                if any(n in v for v in values for n in wanted):
                    found.append(f"{table}.{column}")
    return found
