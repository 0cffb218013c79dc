"""Staff of institution A cannot read or erase anyone of institution B through the CLI, on
both backends (issue 15). The same phone registered with both is two separate people."""

from __future__ import annotations

import pytest

from bot.app import App
from core.settings import Settings
from tests.support.cli import run_cli

pytestmark = pytest.mark.both_backends

PHONE = "+6281234567890"
T = "2025-01-01T00:00:00+00:00"


async def _two_institutions_one_phone(app: App) -> None:
    async with app.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO institutions (code, name, kind, timezone, created_at, updated_at) "
            "VALUES ('KAB-B', 'Inspektorat B', 'kabupaten', 'Asia/Makassar', ?, ?)", (T, T))
        await conn.execute("INSERT INTO units (code, name, region, timezone, services, "
                           "created_at, updated_at, institution_id) VALUES "
                           "('UB1', 'Unit Rahasia B', 'B', 'Asia/Makassar', '[]', 't', 't', 2)")
        unit_a = (await conn.execute_fetchall(
            "SELECT code FROM units WHERE institution_id = 1 LIMIT 1"))[0][0]
        for institution, unit, name in ((1, unit_a, "Ani Dari A"), (2, "UB1", "Budi Dari B")):
            await conn.execute(
                "INSERT INTO respondents (institution_id, phone, name, unit_code, status, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, 'verified', ?, ?)",
                (institution, PHONE, name, unit, T, T))


async def test_with_two_institutions_the_cli_asks_which(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await _two_institutions_one_phone(app)
    result = await run_cli(monkeypatch, settings, "respondents", "show", PHONE)
    assert result.code == 2
    assert "--institution" in result.out
    assert "Budi" not in result.out and "Ani" not in result.out
    unknown = await run_cli(monkeypatch, settings, "units", "list", "--institution", "KAB-X")
    assert unknown.code == 2 and "tidak ditemukan" in unknown.out


async def test_staff_of_a_see_and_erase_only_a(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await _two_institutions_one_phone(app)
    shown = await run_cli(monkeypatch, settings, "respondents", "show", PHONE,
                          "--institution", "UTAMA")
    assert shown.code == 0 and "Ani Dari A" in shown.out and "Budi" not in shown.out
    units = await run_cli(monkeypatch, settings, "units", "list", "--institution", "UTAMA")
    assert units.code == 0 and "UB1" not in units.out and "Rahasia" not in units.out
    erased = await run_cli(monkeypatch, settings, "respondents", "delete", PHONE, "--yes",
                           "--institution", "UTAMA")
    assert erased.code == 0
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall(
            "SELECT institution_id, name, status FROM respondents ORDER BY institution_id")
    assert [tuple(r) for r in rows] == [(1, None, "erased"), (2, "Budi Dari B", "verified")]
    gone = await run_cli(monkeypatch, settings, "respondents", "show", PHONE,
                         "--institution", "UTAMA")
    assert gone.code == 1 and "Budi" not in gone.out
    theirs = await run_cli(monkeypatch, settings, "respondents", "show", PHONE,
                           "--institution", "KAB-B")
    assert theirs.code == 0 and "Budi Dari B" in theirs.out


async def test_a_unit_code_of_another_institution_cannot_be_taken_over(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    await _two_institutions_one_phone(app)
    from pathlib import Path

    path = Path(str(tmp_path)) / "units.csv"
    path.write_text("kode,nama,wilayah,zona_waktu,layanan\nUB1,Curian,A,WIB,KTP\n",
                    encoding="utf-8")
    result = await run_cli(monkeypatch, settings, "units", "import", str(path),
                           "--institution", "UTAMA")
    assert result.code == 1 and "instansi lain" in result.out  # the whole file is refused
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT name, institution_id FROM units "
                                           "WHERE code = 'UB1'")
    assert [tuple(r) for r in rows] == [("Unit Rahasia B", 2)]
