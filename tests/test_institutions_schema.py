"""The shared ground of issues 15 and 16: institutions and staff as data, roles in one place."""

from __future__ import annotations

import sqlite3

import pytest

from bot.app import App
from core.roles import Permission, StaffRole, may

pytestmark = pytest.mark.both_backends

try:
    import psycopg
    _REFUSED: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
except ImportError:  # PostgreSQL support not installed: only SQLite runs
    _REFUSED = (sqlite3.IntegrityError,)


async def test_institution_one_exists_on_a_fresh_database(app: App) -> None:
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT id, code FROM institutions ORDER BY id")
    assert [(r["id"], r["code"]) for r in rows] == [(1, "UTAMA")]


async def test_a_new_institution_takes_the_next_id(app: App) -> None:
    async with app.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO institutions (code, name, kind, timezone, created_at, updated_at) "
            "VALUES ('KAB-X', 'Inspektorat X', 'kabupaten', 'Asia/Makassar', 't', 't')")
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT id FROM institutions WHERE code = 'KAB-X'")
    assert [r["id"] for r in rows] == [2]


@pytest.mark.parametrize(("institution", "role"), [
    (None, "admin"), (None, "operator"), (1, "national"), (1, "superuser")])
async def test_staff_role_and_institution_must_agree(app: App, institution: int | None,
                                                      role: str) -> None:
    with pytest.raises(_REFUSED):
        async with app.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO staff (institution_id, role, username, display_name, created_at) "
                "VALUES (?, ?, 'x', 'X', 't')", (institution, role))


def test_roles_grant_what_the_issue_says() -> None:
    assert may(StaffRole.OPERATOR, Permission.BROADCAST_CATALOGUE)
    assert may(StaffRole.OPERATOR, Permission.READ_STATS)
    for p in (Permission.IMPORT, Permission.EXPORT, Permission.DELETE_PERSON,
              Permission.BROADCAST_FREE_TEXT, Permission.MANAGE_STAFF):
        assert not may(StaffRole.OPERATOR, p)
        assert may(StaffRole.ADMIN, p)
    assert [p for p in Permission if may(StaffRole.NATIONAL, p)] == \
        [Permission.READ_AGGREGATE_STATS]
