"""Numbered schema migrations (`storage/migrations/NNNN_name.sql`), each in its own transaction,
on SQLite and PostgreSQL alike.

Every `NNNN_name.sql` runs on both backends, in version order; gaps in the numbering are fine
(features built in parallel land in any order: versions are tracked one by one). On PostgreSQL
the SQLite-style DDL is translated (storage/sql.py `ddl_to_postgres`), unless a sibling
`NNNN_name.postgresql.sql` says what to run there instead.

A database holding a version this code does not know was made by a newer release: it is
refused (`SchemaTooNewError`) at start-up and by `spi-bot db migrate`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from storage.connection import Connection
from storage.database import Database
from storage.errors import MigrationError, SchemaTooNewError
from storage.sql import ddl_to_postgres
from storage.sqlite import SqliteDatabase

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_POSTGRES_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.postgresql\.sql$")
_FOREIGN_KEYS_OFF = "-- migrate: foreign_keys=off"
_VERSION_TABLE = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str
    postgresql: str | None = None  # the PostgreSQL text when it is not the translation

    def for_postgres(self) -> str:
        return self.postgresql if self.postgresql is not None else ddl_to_postgres(self.sql)


def known_migrations() -> list[Migration]:
    """The migrations shipped with this code, in version order."""
    found: dict[int, Migration] = {}
    overrides: dict[int, str] = {}
    for entry in resources.files("storage.migrations").iterdir():
        if match := _POSTGRES_NAME.match(entry.name):
            overrides[int(match[1])] = entry.read_text(encoding="utf-8")
        elif match := _NAME.match(entry.name):
            version = int(match[1])
            if version in found:
                raise MigrationError(f"Nomor migrasi ganda: {version}")
            found[version] = Migration(version, match[2], entry.read_text(encoding="utf-8"))
    for version, text in overrides.items():
        if version not in found:
            raise MigrationError(f"Migrasi {version:04d} hanya ada untuk PostgreSQL")
        m = found[version]
        found[version] = Migration(m.version, m.name, m.sql, text)
    return [found[v] for v in sorted(found)]


async def applied_versions(conn: Connection | Any) -> set[int]:
    await conn.execute(_VERSION_TABLE)
    async with conn.execute("SELECT version FROM schema_version") as cur:
        return {int(row[0]) for row in await cur.fetchall()}


def _check_not_newer(applied: set[int], migrations: list[Migration]) -> None:
    known = {m.version for m in migrations}
    unknown = sorted(applied - known)
    if unknown:
        raise SchemaTooNewError(
            f"Database berisi migrasi {unknown} yang tidak dikenal versi ini "
            f"(dikenal sampai {max(known, default=0)})."
        )


async def schema_status(db: Database) -> tuple[set[int], list[Migration]]:
    """(versions applied, migrations shipped but not applied); SchemaTooNewError if the
    database is newer than the code."""
    migrations = known_migrations()
    async with db.transaction() as conn:
        applied = await applied_versions(conn)
    _check_not_newer(applied, migrations)
    return applied, [m for m in migrations if m.version not in applied]


async def migrate(db: Database | Any) -> int:
    """Apply every shipped migration not applied yet, in order; refuse a database that has
    migrations this code does not know (it was made by a newer version). Returns the version.

    Also takes a SQLite writer connection (older call sites and tests).
    """
    if isinstance(db, SqliteDatabase):
        return await _migrate_sqlite(db.writer.raw)
    if getattr(db, "dialect", None) == "postgresql" and hasattr(db, "connection"):
        return await _migrate_postgres(db)
    return await _migrate_sqlite(getattr(db, "raw", db))


async def _migrate_sqlite(conn: Any) -> int:
    migrations = known_migrations()
    applied = await applied_versions(conn)
    _check_not_newer(applied, migrations)
    for migration in (m for m in migrations if m.version not in applied):
        # The SQL is our own shipped file and the version an int: nothing user-supplied.
        script = (
            "BEGIN IMMEDIATE;\n"  # noqa: S608
            f"{migration.sql}\n;"
            f"INSERT INTO schema_version (version) VALUES ({migration.version});\n"
        )
        # A migration that rebuilds a referenced table (SQLite cannot change a key in place)
        # runs with foreign keys off, SQLite's documented procedure: otherwise dropping the old
        # table would cascade into the rows referencing it. They are checked before the commit.
        keys_off = _FOREIGN_KEYS_OFF in migration.sql
        try:
            if keys_off:
                await conn.execute("PRAGMA foreign_keys=OFF")
            await conn.executescript(script)
            if keys_off:
                broken = await conn.execute_fetchall("PRAGMA foreign_key_check")
                if broken:
                    raise MigrationError(f"kunci asing rusak di {sorted({r[0] for r in broken})}")
            await conn.execute("COMMIT")
        except Exception as exc:
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            raise MigrationError(
                f"Migrasi {migration.version:04d}_{migration.name} gagal: {exc}"
            ) from exc
        finally:
            if keys_off:
                await conn.execute("PRAGMA foreign_keys=ON")
        _log(migration)
    return max((m.version for m in migrations), default=0)


async def _migrate_postgres(db: Any) -> int:
    """Each migration in its own transaction, all of them under an advisory lock so that
    processes starting together migrate once, one after the other."""
    migrations = known_migrations()
    async with db.connection() as raw:
        await raw.execute(
            "SELECT pg_advisory_lock(hashtext(current_schema()), hashtext('spi:migrate'))")
        await raw.commit()
        try:
            await raw.execute(_VERSION_TABLE)
            cur = await raw.execute("SELECT version FROM schema_version")
            applied = {int(row[0]) for row in await cur.fetchall()}
            await raw.commit()
            _check_not_newer(applied, migrations)
            for migration in (m for m in migrations if m.version not in applied):
                try:
                    await raw.execute(migration.for_postgres())
                    await raw.execute("INSERT INTO schema_version (version) VALUES (%s)",
                                      (migration.version,))
                    await raw.commit()
                except Exception as exc:
                    await raw.rollback()
                    raise MigrationError(
                        f"Migrasi {migration.version:04d}_{migration.name} gagal: {exc}"
                    ) from exc
                _log(migration)
        finally:
            await raw.rollback()
            await raw.execute(
                "SELECT pg_advisory_unlock(hashtext(current_schema()), hashtext('spi:migrate'))")
            await raw.commit()
    return max((m.version for m in migrations), default=0)


def _log(migration: Migration) -> None:
    logger.info("Skema database diperbarui ke versi %d (%s)", migration.version, migration.name)
