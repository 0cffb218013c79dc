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
    if len(set(versions)) != len(versions):
        raise MigrationError(f"Nomor migrasi ganda: {versions}")
    return found


async def applied_versions(conn: aiosqlite.Connection) -> set[int]:
    await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    async with conn.execute("SELECT version FROM schema_version") as cur:
        return {int(row[0]) for row in await cur.fetchall()}


async def migrate(conn: aiosqlite.Connection) -> int:
    """Apply every shipped migration not applied yet, in order; refuse a database that has
    migrations this code does not know (it was made by a newer version). Returns the version.

    Versions are tracked one by one, so features built in parallel may land in any order.
    """
    migrations = known_migrations()
    known = {m.version for m in migrations}
    applied = await applied_versions(conn)
    unknown = sorted(applied - known)
    if unknown:
        raise SchemaTooNewError(
            f"Database berisi migrasi {unknown} yang tidak dikenal versi ini "
            f"(dikenal sampai {max(known, default=0)})."
        )
    latest = max(known, default=0)
    for migration in (m for m in migrations if m.version not in applied):
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
