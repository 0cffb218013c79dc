"""Schema migrations: applied once each, in a transaction, refusing unknown newer schemas."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage.errors import MigrationError, SchemaTooNewError
from storage.migrate import Migration, applied_versions, known_migrations, migrate
from storage.sqlite import SqliteDatabase as Database


async def test_fresh_database_gets_every_migration_once(tmp_path: Path) -> None:
    async with Database(tmp_path / "a.db") as db:
        await migrate(db.writer)
        await migrate(db.writer)
        assert await applied_versions(db.writer) == {m.version for m in known_migrations()}


async def test_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    async with Database(tmp_path / "b.db") as db:
        await migrate(db.writer)
        await db.writer.execute("INSERT INTO schema_version (version) VALUES (9999)")
        with pytest.raises(SchemaTooNewError) as raised:
            await migrate(db.writer)
        assert "versi bot yang sama atau lebih baru" in str(raised.value)


async def test_failing_migration_leaves_schema_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = [*known_migrations(), Migration(9000, "broken",
                                             "CREATE TABLE half (x); SELECT nonsense();")]
    monkeypatch.setattr("storage.migrate.known_migrations", lambda: broken)
    async with Database(tmp_path / "c.db") as db:
        with pytest.raises(MigrationError):
            await migrate(db.writer)
        assert 9000 not in await applied_versions(db.writer)
        async with db.writer.execute(
            "SELECT name FROM sqlite_master WHERE name = 'half'"
        ) as cur:
            assert await cur.fetchone() is None


async def test_wal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    async with Database(tmp_path / "d.db") as db:
        async with db.writer.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with db.writer.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1


async def test_the_wal_starts_over_under_steady_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint that never reaches the WAL's end (writes keep coming) never lets it start
    over; the file then grows for as long as the writes go on."""
    monkeypatch.setattr(Database, "CHECKPOINT_EVERY", 0.02)
    path = tmp_path / "w.db"
    async with Database(path) as db:
        async with db.transaction() as conn:
            await conn.execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, body BLOB)")
        written = 0
        while written < 24 * 1024 * 1024:  # each commit rewrites at least one 4 KiB page
            async with db.transaction() as conn:
                await conn.execute("INSERT OR REPLACE INTO blobs VALUES (1, zeroblob(3000))")
            written += 4096
        wal_size = (await asyncio.to_thread(Path(f"{path}-wal").stat)).st_size
    assert wal_size < written / 3
