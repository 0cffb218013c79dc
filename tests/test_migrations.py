"""Schema migrations: applied once each, in a transaction, refusing unknown newer schemas."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.database import Database
from storage.errors import MigrationError, SchemaTooNewError
from storage.migrate import Migration, applied_versions, known_migrations, migrate


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
