"""Units: the service points whose counters carry a registration QR code."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime

from core.clock import to_text
from core.scope import DEFAULT_SCOPE, Scope
from storage.connection import Connection, Row
from storage.queries import fetch_all, fetch_one, fetch_value
from storage.scoping import institution_of

TIMEZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
LABEL_TIMEZONES = {label: zone for zone, label in TIMEZONE_LABELS.items()}


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    region: str
    timezone: str
    services: tuple[str, ...]
    institution_id: int = 1  # the scanned unit decides the institution (issue 15)

    @property
    def timezone_label(self) -> str:
        return TIMEZONE_LABELS.get(self.timezone, self.timezone)


def _from_row(row: Row) -> Unit:
    return Unit(row["code"], row["name"], row["region"], row["timezone"],
                tuple(json.loads(row["services"])), int(row["institution_id"]))


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
            units = {row["code"]: _from_row(row) for row in rows}
            if getattr(conn, "scope_id", None) is not None:
                return units  # one institution's rows (row-level security): not the copy
            self._copy = units
            self._copied_at = time.monotonic()
        return self._copy

    async def get_by_code(self, conn: Connection, code: str) -> Unit | None:
        """Any institution's unit: unit codes are unique across institutions, and the scanned
        code is what tells a citizen's conversation its institution (allow-listed)."""
        return (await self._all(conn)).get(code.upper())

    async def list_all(self, conn: Connection, *, scope: Scope = DEFAULT_SCOPE) -> list[Unit]:
        units = await self._all(conn)  # before the connection is scoped: the shared copy
        institution = institution_of(conn, scope)
        return [u for u in units.values() if u.institution_id == institution]

    async def count(self, conn: Connection, scope: Scope) -> int:
        return int(await fetch_value(conn, "SELECT COUNT(*) FROM units WHERE institution_id = ?",
                                     (institution_of(conn, scope),)) or 0)

    async def save(self, conn: Connection, unit: Unit, now: datetime, *,
                   scope: Scope = DEFAULT_SCOPE) -> bool:
        """Insert or update a unit of this institution; returns True when it was new. A code
        another institution already uses is refused (UnitTaken): codes are global."""
        # Before the connection is scoped, where that is still possible: a scoped PostgreSQL
        # connection sees no other institution's unit (its policy then refuses the write).
        exists = await fetch_one(conn, "SELECT institution_id FROM units WHERE code = ?",
                                 (unit.code,))
        institution = institution_of(conn, scope)
        if exists is not None and int(exists[0]) != institution:
            raise UnitTaken(unit.code)
        self._copy = None
        await conn.execute(
            """INSERT INTO units (code, name, region, timezone, services, created_at, updated_at,
                                  institution_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (code) DO UPDATE SET name = excluded.name, region = excluded.region,
                   timezone = excluded.timezone, services = excluded.services,
                   updated_at = excluded.updated_at""",
            (unit.code, unit.name, unit.region, unit.timezone,
             json.dumps(list(unit.services), ensure_ascii=False), to_text(now), to_text(now),
             institution),
        )
        return exists is None


class UnitTaken(ValueError):
    """The unit code belongs to another institution (codes are unique across institutions)."""

    def __init__(self, code: str) -> None:
        super().__init__(f"Kode unit {code} sudah dipakai instansi lain; mohon pilih kode lain.")
