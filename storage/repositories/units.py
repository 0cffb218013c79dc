"""Units: the service points whose counters carry a registration QR code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.clock import to_text

TIMEZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
LABEL_TIMEZONES = {label: zone for zone, label in TIMEZONE_LABELS.items()}


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    region: str
    timezone: str
    services: tuple[str, ...]

    @property
    def timezone_label(self) -> str:
        return TIMEZONE_LABELS.get(self.timezone, self.timezone)


def _from_row(row: aiosqlite.Row) -> Unit:
    return Unit(row["code"], row["name"], row["region"], row["timezone"],
                tuple(json.loads(row["services"])))


class UnitRepository:
    async def get_by_code(self, conn: aiosqlite.Connection, code: str) -> Unit | None:
        async with conn.execute("SELECT * FROM units WHERE code = ?", (code.upper(),)) as cur:
            row = await cur.fetchone()
        return _from_row(row) if row else None

    async def list_all(self, conn: aiosqlite.Connection) -> list[Unit]:
        async with conn.execute("SELECT * FROM units ORDER BY name") as cur:
            return [_from_row(row) for row in await cur.fetchall()]

    async def count(self, conn: aiosqlite.Connection) -> int:
        async with conn.execute("SELECT COUNT(*) FROM units") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def save(self, conn: aiosqlite.Connection, unit: Unit, now: datetime) -> bool:
        """Insert or update a unit; returns True when it was new."""
        exists = await self.get_by_code(conn, unit.code) is not None
        await conn.execute(
            """INSERT INTO units (code, name, region, timezone, services, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (code) DO UPDATE SET name = excluded.name, region = excluded.region,
                   timezone = excluded.timezone, services = excluded.services,
                   updated_at = excluded.updated_at""",
            (unit.code, unit.name, unit.region, unit.timezone,
             json.dumps(list(unit.services), ensure_ascii=False), to_text(now), to_text(now)),
        )
        return not exists
