"""Moving a deployment from its SQLite file to PostgreSQL (`spi-bot db copy`).

Both schemas are first brought to this code's version, so the tables and columns match; the
target must be empty. Every table is copied in foreign-key order with PostgreSQL's COPY, in one
transaction: a failed copy leaves the target as it was. Identity counters continue after the
highest copied id, and each table's row count is compared at the end (inside the transaction,
so a mismatch rolls everything back).

Scheduled broadcasts are re-entered into the scheduler by the next broadcast worker
(`job_synced` is reset), so the APScheduler job file beside the SQLite database is not needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from storage.errors import StorageError
from storage.migrate import migrate
from storage.postgres import PostgresDatabase
from storage.sqlite import SqliteDatabase

logger = logging.getLogger(__name__)

BATCH = 5_000
# Tables whose migration seeds a row (institution 1): a target holding only that seed still
# counts as empty, and the seed gives way to the source's own row.
SEEDED = {"institutions": "id = 1"}


class CopyError(StorageError):
    explanation = (
        "Tidak ada yang disalin: database tujuan tetap seperti sebelumnya. Periksa pesan di "
        "atas, lalu ulangi ke database PostgreSQL yang kosong."
    )


async def _tables_in_order(source: SqliteDatabase) -> list[tuple[str, list[str]]]:
    """(table, columns) of the source, each table after the tables it references."""
    conn = source.writer
    names = [row[0] for row in await conn.execute_fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'schema_version' ORDER BY name")]
    refs: dict[str, set[str]] = {}
    columns: dict[str, list[str]] = {}
    for name in names:
        info = await conn.execute_fetchall(f'PRAGMA table_info("{name}")')
        columns[name] = [row[1] for row in info]
        keys = await conn.execute_fetchall(f'PRAGMA foreign_key_list("{name}")')
        refs[name] = {row[2] for row in keys if row[2] != name}
    ordered: list[str] = []
    while len(ordered) < len(names):
        ready = [n for n in names if n not in ordered and refs[n] <= set(ordered)]
        if not ready:
            left = sorted(set(names) - set(ordered))
            raise CopyError(f"Urutan tabel tidak dapat ditentukan: {left}")
        ordered.extend(ready)
    return [(n, columns[n]) for n in ordered]


async def copy_sqlite_to_postgres(
    source: SqliteDatabase, target: PostgresDatabase,
    progress: Callable[[str, int], None] | None = None,
) -> dict[str, int]:
    """Copy every row; returns the row count per table (equal on both sides)."""
    await migrate(source)
    await migrate(target)
    tables = await _tables_in_order(source)
    reader = source.writer
    counts: dict[str, int] = {}
    async with target.connection() as raw:
        try:
            target_columns = await _target_columns(raw)
            for table, _ in tables:
                if table not in target_columns:
                    raise CopyError(f"Tabel {table} tidak ada di database tujuan")
                seed = SEEDED.get(table)
                other = f" WHERE NOT ({seed})" if seed else ""
                cur = await raw.execute(
                    f'SELECT EXISTS (SELECT 1 FROM "{table}"{other})')  # noqa: S608
                row = await cur.fetchone()
                if row is not None and row[0]:
                    raise CopyError(f"Database tujuan tidak kosong (tabel {table} berisi data)")
            for table in SEEDED:
                await raw.execute(f'DELETE FROM "{table}"')  # noqa: S608 - names are ours
            for table, cols in tables:
                missing = set(cols) - set(target_columns[table])
                if missing:
                    raise CopyError(f"Kolom {sorted(missing)} dari {table} tidak ada di tujuan")
                counts[table] = await _copy_table(reader, raw, table, cols)
                if progress is not None:
                    progress(table, counts[table])
            for table, cols in tables:
                if "id" in cols and await _is_identity(raw, table):
                    await raw.execute(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                        f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)')
            if "broadcasts" in counts:
                await raw.execute("UPDATE broadcasts SET job_synced = 0")
            await _check_counts(reader, raw, counts)
            await raw.commit()
        except BaseException:
            await raw.rollback()
            raise
    return counts


async def _target_columns(raw: Any) -> dict[str, list[str]]:
    cur = await raw.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position")
    found: dict[str, list[str]] = {}
    for row in await cur.fetchall():
        found.setdefault(row[0], []).append(row[1])
    return found


async def _is_identity(raw: Any, table: str) -> bool:
    cur = await raw.execute("SELECT pg_get_serial_sequence(%s, 'id') IS NOT NULL",
                            (f'"{table}"',))
    row = await cur.fetchone()
    return bool(row and row[0])


async def _copy_table(reader: Any, raw: Any, table: str, cols: list[str]) -> int:
    names = ", ".join(f'"{c}"' for c in cols)
    copied = 0
    select = f'SELECT {names} FROM "{table}"'  # noqa: S608 - names from the schema
    async with raw.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy, \
            reader.execute(select) as rows:
        while batch := await rows.fetchmany(BATCH):
            for row in batch:
                await copy.write_row(tuple(row))
            copied += len(batch)
    logger.info("Disalin: %s (%d baris)", table, copied)
    return copied


async def _check_counts(reader: Any, raw: Any, counts: dict[str, int]) -> None:
    for table, copied in counts.items():
        source_rows = (await reader.execute_fetchall(
            f'SELECT COUNT(*) FROM "{table}"'))[0][0]  # noqa: S608
        cur = await raw.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
        row = await cur.fetchone()
        target_rows = int(row[0]) if row else -1
        if not source_rows == copied == target_rows:
            raise CopyError(f"Jumlah baris {table} berbeda: sumber {source_rows}, "
                            f"disalin {copied}, tujuan {target_rows}")
