"""Scanning every text column of every table for traces of a person."""

from __future__ import annotations

from bot.app import App


async def traces(app: App, *needles: str) -> list[str]:
    """`table.column` places where any needle still appears (case-insensitive)."""
    found = []
    wanted = [n.lower() for n in needles]
    async with app.db.reading() as conn:
        async with conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'") as cur:
            tables = [row[0] for row in await cur.fetchall()]
        for table in tables:
            async with conn.execute(f"PRAGMA table_info({table})") as cur:
                columns = [row[1] for row in await cur.fetchall()]
            for column in columns:
                async with conn.execute(f"SELECT {column} FROM {table}") as cur:  # noqa: S608
                    values = [str(row[0]).lower() for row in await cur.fetchall()
                              if row[0] is not None]
                if any(n in v for v in values for n in wanted):
                    found.append(f"{table}.{column}")
    return found
