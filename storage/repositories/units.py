"""Units: the service points whose counters carry a registration QR code."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime

from core.clock import to_text
from storage.connection import Connection, Row
from storage.queries import fetch_all, fetch_one, fetch_value

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


def _from_row(row: Row) -> Unit:
    return Unit(row["code"], row["name"], row["region"], row["timezone"],
                tuple(json.loads(row["services"])))


class UnitRepository:
    """Units change a few times a year but are read on most registration steps, so reads are
    served from a copy at most `max_age` seconds old (a CLI import elsewhere shows up then)."""

    def __init__(self, max_age: float = 30.0) -> None:
        self._max_age = max_age
        self._copy: dict[str, Unit] | None = None
        self._copied_at = 0.0

    async def _all(self, conn: Connection) -> dict[str, Unit]:
        if self._copy is None or time.monotonic() - self._copied_at > self._max_age:
            rows = await fetch_all(conn, "SELECT * FROM units ORDER BY name")
            self._copy = {row["code"]: _from_row(row) for row in rows}
            self._copied_at = time.monotonic()
        return self._copy

    async def get_by_code(self, conn: Connection, code: str) -> Unit | None:
        return (await self._all(conn)).get(code.upper())

    async def list_all(self, conn: Connection) -> list[Unit]:
        return list((await self._all(conn)).values())

    async def count(self, conn: Connection) -> int:
        return int(await fetch_value(conn, "SELECT COUNT(*) FROM units") or 0)

    async def save(self, conn: Connection, unit: Unit, now: datetime) -> bool:
        """Insert or update a unit; returns True when it was new."""
        exists = await fetch_one(conn, "SELECT 1 FROM units WHERE code = ?", (unit.code,))
        self._copy = None
        await conn.execute(
            """INSERT INTO units (code, name, region, timezone, services, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (code) DO UPDATE SET name = excluded.name, region = excluded.region,
                   timezone = excluded.timezone, services = excluded.services,
                   updated_at = excluded.updated_at""",
            (unit.code, unit.name, unit.region, unit.timezone,
             json.dumps(list(unit.services), ensure_ascii=False), to_text(now), to_text(now)),
        )
        return exists is None
