"""Numbered schema migrations (`storage/migrations/NNNN_name.sql`), each in its own transaction."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources

import aiosqlite

from storage.errors import MigrationError, SchemaTooNewError

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def known_migrations() -> list[Migration]:
    """The migrations shipped with this code, in version order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if versions != list(range(1, len(found) + 1)):
        raise MigrationError(f"Nomor migrasi tidak berurutan: {versions}")
    return found


async def current_version(conn: aiosqlite.Connection) -> int:
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    async with conn.execute("SELECT MAX(version) FROM schema_version") as cur:
        row = await cur.fetchone()
    return int(row[0]) if row and row[0] is not None else 0


async def migrate(conn: aiosqlite.Connection) -> int:
    """Bring the schema up to date; refuse a database newer than this code. Returns the version."""
    migrations = known_migrations()
    latest = migrations[-1].version if migrations else 0
    version = await current_version(conn)
    if version > latest:
        raise SchemaTooNewError(f"Versi skema database {version}, versi yang dikenal {latest}.")
    for migration in migrations[version:]:
        # The SQL is our own shipped file and the version an int: nothing user-supplied.
        script = (
            "BEGIN IMMEDIATE;\n"  # noqa: S608
            f"{migration.sql}\n;"
            f"INSERT INTO schema_version (version) VALUES ({migration.version});\n"
            "COMMIT;"
        )
        try:
            await conn.executescript(script)
        except Exception as exc:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise MigrationError(
                f"Migrasi {migration.version:04d}_{migration.name} gagal: {exc}"
            ) from exc
        logger.info("Skema database diperbarui ke versi %d (%s)", migration.version,
                    migration.name)
    return latest
