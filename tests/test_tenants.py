"""Every tenant table carries its institution (migration 0021), and `--institution CODE`."""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

import pytest

from bot.app import App
from bot.commands.institution_option import (
    InstitutionError,
    add_institution_argument,
    scope_from_args,
)
from core.scope import DEFAULT_SCOPE, Scope
from storage.migrate import migrate
from storage.sqlite import SqliteDatabase

pytestmark = pytest.mark.both_backends

try:
    import psycopg
    _REFUSED: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
except ImportError:  # PostgreSQL support not installed: only SQLite runs
    _REFUSED = (sqlite3.IntegrityError,)

TENANT_TABLES = ("units", "respondents", "channel_identities", "broadcasts", "broadcast_runs",
                 "deliveries", "import_batches", "import_issues", "audit_log", "faq_daily",
                 "faq_unanswered", "check_daily", "staff_uploads")


async def add_institution(app: App, code: str) -> int:
    async with app.db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO institutions (code, name, kind, timezone, created_at, updated_at) "
            "VALUES (?, ?, 'kabupaten', 'Asia/Makassar', 't', 't') RETURNING id",
            (code, f"Inspektorat {code}"))
        return int((await cur.fetchone())[0])


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_institution_argument(parser)
    return parser.parse_args(list(argv))


async def test_every_tenant_table_has_its_institution(app: App) -> None:
    async with app.db.reading() as conn:
        for table in TENANT_TABLES:
            rows = await conn.execute_fetchall(
                f"SELECT institution_id FROM {table} WHERE 1 = 0")  # noqa: S608
            assert rows == []


async def test_the_same_phone_registers_with_two_institutions_but_once_per_institution(
        app: App) -> None:
    other = await add_institution(app, "KAB-B")
    async with app.db.transaction() as conn:
        await conn.execute("INSERT INTO units (code, name, region, timezone, services, "
                           "created_at, updated_at, institution_id) VALUES "
                           "('UB1', 'Unit B', 'B', 'Asia/Makassar', '[]', 't', 't', ?)", (other,))
        unit_a = (await conn.execute_fetchall("SELECT code FROM units WHERE institution_id = 1 "
                                              "LIMIT 1"))[0][0]
        for institution, unit in ((1, unit_a), (other, "UB1")):
            await conn.execute(
                "INSERT INTO respondents (institution_id, phone, unit_code, status, created_at, "
                "updated_at) VALUES (?, '+6281111', ?, 'registered', 't', 't')",
                (institution, unit))
    with pytest.raises(_REFUSED):
        async with app.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO respondents (institution_id, phone, unit_code, status, created_at, "
                "updated_at) VALUES (?, '+6281111', 'UB1', 'registered', 't', 't')", (other,))
    with pytest.raises(_REFUSED):  # unit codes stay unique across institutions
        async with app.db.transaction() as conn:
            await conn.execute("INSERT INTO units (code, name, region, timezone, services, "
                               "created_at, updated_at, institution_id) VALUES "
                               "('UB1', 'Lain', 'A', 'Asia/Jakarta', '[]', 't', 't', 1)")


async def test_institution_option_defaults_to_one_and_is_required_with_several(
        app: App) -> None:
    async with app.db.reading() as conn:
        assert await scope_from_args(conn, _args()) == DEFAULT_SCOPE
        assert await scope_from_args(conn, _args("--institution", "utama")) == DEFAULT_SCOPE
    other = await add_institution(app, "KAB-B")
    async with app.db.reading() as conn:
        with pytest.raises(InstitutionError, match="--institution"):
            await scope_from_args(conn, _args())
        assert await scope_from_args(conn, _args("--institution", "KAB-B")) == Scope(other)
        with pytest.raises(InstitutionError, match="tidak ditemukan"):
            await scope_from_args(conn, _args("--institution", "NOPE"))


async def test_upgrade_keeps_rows_and_their_links_as_institution_one(
        tmp_path: Path, backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A database of the version before, with data (0022 already applied, as main had it):
    0021 rebuilds tables on SQLite without cascading into the rows that reference them."""
    import storage.migrate as migrate_module

    if backend != "sqlite":
        pytest.skip("SQLite rebuilds tables; PostgreSQL alters them in place")
    shipped = migrate_module.known_migrations()
    path = tmp_path / "old.db"
    monkeypatch.setattr(migrate_module, "known_migrations",
                        lambda: [m for m in shipped if m.version not in (21, 23)])
    async with SqliteDatabase(path) as db:
        await migrate(db)
        raw = db.writer.raw
        await raw.execute("INSERT INTO units (code, name, region, timezone, services, "
                          "created_at, updated_at) VALUES ('U1', 'U', 'R', 'Asia/Jakarta', "
                          "'[]', 't', 't')")
        await raw.execute("INSERT INTO respondents (phone, unit_code, status, created_at, "
                          "updated_at) VALUES ('+62811', 'U1', 'registered', 't', 't')")
        await raw.execute("INSERT INTO channel_identities (channel, address, respondent_id, "
                          "created_at) VALUES ('telegram', '42', 1, 't')")
        await raw.execute("INSERT INTO faq_daily (day, intent, count) VALUES ('d', 'x', 3)")
        await raw.commit()
    monkeypatch.setattr(migrate_module, "known_migrations", lambda: shipped)
    async with SqliteDatabase(path) as db:
        await migrate(db)
        raw = db.writer.raw
        rows = await raw.execute_fetchall(
            "SELECT r.institution_id, c.institution_id, r.phone FROM respondents r "
            "JOIN channel_identities c ON c.respondent_id = r.id")
        assert [tuple(r) for r in rows] == [(1, 1, "+62811")]
        rows = await raw.execute_fetchall("SELECT institution_id, count FROM faq_daily")
        assert [tuple(r) for r in rows] == [(1, 3)]
        assert await raw.execute_fetchall("PRAGMA foreign_key_check") == []
        with pytest.raises(sqlite3.IntegrityError):  # foreign keys are on again
            await raw.execute("INSERT INTO channel_identities (channel, address, respondent_id,"
                              " created_at) VALUES ('telegram', '43', 999, 't')")
