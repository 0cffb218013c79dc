"""`spi-bot respondents import`: every row checked, duplicates found, all or nothing."""

from __future__ import annotations

import csv
from datetime import date, datetime
from pathlib import Path

import pytest

from bot.app import App
from core.settings import Settings
from tests.support.cli import run_cli
from tests.support.dialog import User, register

pytestmark = pytest.mark.both_backends

CLEAN = """\
 NAMA Lengkap ;No. HP / WA;E-Mail;Kode Unit;Kategori;Tanggal Mulai Bekerja
Budi Santoso;0812-3456-7001;budi@contoh.id;DISDUKCAPIL;internal;2019-03-01
Rina Wati;+62 813 1111 2222;;dishub;Eksternal;15/07/2023
Ahmad Yani;6285722223333;ahmad@contoh.id;Dinas Perhubungan;ahli;
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


async def rows(app: App, sql: str, *params: object) -> list[tuple[object, ...]]:
    async with app.db.reading() as conn, conn.execute(sql, params) as cur:
        return [tuple(r) for r in await cur.fetchall()]


def report_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


async def test_clean_csv_with_indonesian_headers_is_imported_as_import_source(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = await run_cli(monkeypatch, settings, "respondents", "import",
                           str(write(tmp_path / "unit.csv", CLEAN)))
    assert result.code == 0, result.out
    assert "baru            : 3" in result.out
    stored = await rows(app, "SELECT phone, name, email, unit_code, category, started_on, "
                             "source, status, consent_at FROM respondents ORDER BY name")
    assert stored == [
        ("+6285722223333", "Ahmad Yani", "ahmad@contoh.id", "DISHUB", "expert", None, "import",
         "registered", None),
        ("+6281234567001", "Budi Santoso", "budi@contoh.id", "DISDUKCAPIL", "internal",
         "2019-03-01", "import", "registered", None),
        ("+6281311112222", "Rina Wati", None, "DISHUB", "external", "2023-07-15", "import",
         "registered", None),
    ]
    assert not (tmp_path / "unit-laporan.csv").exists()
    audit = await rows(app, "SELECT action, detail FROM audit_log WHERE action LIKE "
                            "'respondents.%'")
    assert audit[0][0] == "respondents.imported" and "Budi" not in str(audit)


BAD = """\
nama,telepon,email,unit,kategori,tanggal mulai
Budi Santoso,081234567001,budi@contoh.id,DISDUKCAPIL,internal,2019-03-01
,081234567002,,DISDUKCAPIL,internal,
12345,081234567003,,DISDUKCAPIL,internal,
Citra Dewi,,,DISDUKCAPIL,internal,
Dedi Kurnia,0812,,DISDUKCAPIL,internal,
Eka Putri,0411 555 0198,,DISDUKCAPIL,internal,
Fajar Nugraha,081234567006,fajar@@contoh,DISDUKCAPIL,internal,
Gita Lestari,081234567007,,,internal,
Hadi Wijaya,081234567008,,DINAS_FIKTIF,internal,
Indah Sari,081234567009,,DISDUKCAPIL,,
Joko Susilo,081234567010,,DISDUKCAPIL,pejabat,
Kartika Ayu,081234567011,,DISDUKCAPIL,internal,kemarin
Lukman Hakim,081234567012,,DISDUKCAPIL,internal,2999-01-01
Maya Sari,081234567013,,DISDUKCAPIL,internal,1900-01-01
Budi Santoso,0812 3456 7001,,DISDUKCAPIL,internal,
Nina Zahra,081234567015,budi@contoh.id,DISDUKCAPIL,internal,

"""

EXPECTED_REASONS = {
    3: "nama kosong",
    4: "nama tidak wajar",
    5: "nomor HP kosong",
    6: "nomor HP tidak valid",
    7: "nomor bukan nomor HP Indonesia",
    8: "alamat e-mail tidak valid",
    9: "unit kosong",
    10: "unit tidak dikenal",
    11: "kategori kosong",
    12: "kategori harus internal, eksternal atau eksper",
    13: "tanggal mulai tidak terbaca",
    14: "tanggal mulai ada di masa depan",
    15: "tanggal mulai sebelum 1950",
    16: "duplikat: nomor HP sama dengan baris lain di berkas ini (sama dengan baris 2)",
}


async def test_file_with_any_bad_row_is_refused_whole_with_a_report(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write(tmp_path / "capil.csv", BAD)
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(source))
    assert result.code == 1
    assert "BERKAS DITOLAK: 14 baris bermasalah" in result.out
    assert await rows(app, "SELECT COUNT(*) FROM respondents") == [(0,)]
    assert await rows(app, "SELECT COUNT(*) FROM import_batches") == [(0,)]
    report = report_rows(tmp_path / "capil-laporan.csv")
    by_line = {int(r["baris"]): r for r in report}
    for line, reason in EXPECTED_REASONS.items():
        assert by_line[line]["status"] == "ditolak"
        assert by_line[line]["alasan"].startswith(reason), (line, by_line[line]["alasan"])
    assert by_line[17]["status"] == "ditandai"
    assert by_line[17]["alasan"] == "e-mail sama dipakai nomor HP lain (sama dengan baris 2)"
    assert by_line[3]["telepon"] == "081234567002"  # the original row comes with its reason
    assert set(by_line) == {*EXPECTED_REASONS, 17}


async def test_skip_invalid_imports_the_valid_rows_and_counts_problems_per_unit(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write(tmp_path / "capil.csv", BAD)
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(source),
                           "--skip-invalid")
    assert result.code == 0, result.out
    assert await rows(app, "SELECT name FROM respondents ORDER BY name") == [
        ("Budi Santoso",), ("Nina Zahra",)]
    issues = {kind: n for unit, kind, n in await rows(
        app, "SELECT unit_code, kind, count FROM import_issues") if unit == "DISDUKCAPIL"}
    assert issues["phone_invalid"] == 1 and issues["duplicate_in_file"] == 1
    assert issues["email_shared"] == 1


async def test_reimporting_the_same_file_changes_nothing(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write(tmp_path / "unit.csv", CLEAN)
    assert (await run_cli(monkeypatch, settings, "respondents", "import", str(source))).code == 0
    before = await rows(app, "SELECT * FROM respondents ORDER BY id")
    audit_before = await rows(app, "SELECT COUNT(*) FROM audit_log")
    again = await run_cli(monkeypatch, settings, "respondents", "import", str(source))
    assert again.code == 0
    assert "sudah diimpor" in again.out and "Tidak ada yang berubah" in again.out
    assert await rows(app, "SELECT * FROM respondents ORDER BY id") == before
    assert await rows(app, "SELECT COUNT(*) FROM audit_log") == audit_before
    # The same rows under another name (a copy) are recognised row by row.
    copy = write(tmp_path / "salinan.csv", CLEAN.replace("\n", "\r\n"))
    third = await run_cli(monkeypatch, settings, "respondents", "import", str(copy))
    assert third.code == 0 and "sudah tersimpan : 3" in third.out
    assert await rows(app, "SELECT * FROM respondents ORDER BY id") == before


async def test_duplicates_across_files_and_against_bot_registrations(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await register(User(app.engine), phone="081299990000")
    first = write(tmp_path / "capil.csv", CLEAN)
    assert (await run_cli(monkeypatch, settings, "respondents", "import", str(first))).code == 0
    second = write(tmp_path / "rsud.csv", (
        "nama,hp,email,unit,kategori\n"
        "Budi Santoso,081234567001,budi@contoh.id,RSUD,eksternal\n"
        "Siti Aminah,081299990000,,RSUD,eksternal\n"
        "Tono Prasetyo,081377778888,ahmad@contoh.id,RSUD,eksternal\n"))
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(second))
    assert result.code == 1
    report = {int(r["baris"]): r for r in report_rows(tmp_path / "rsud-laporan.csv")}
    assert report[2]["alasan"] == ("duplikat: nomor HP sudah tersimpan (dari impor berkas "
                                   "capil.csv untuk unit DISDUKCAPIL)")
    assert report[3]["alasan"] == ("duplikat: nomor HP sudah tersimpan (terdaftar lewat bot "
                                   "untuk unit DISDUKCAPIL)")
    assert report[4]["status"] == "ditandai"
    assert report[4]["alasan"] == ("e-mail sama dipakai nomor HP lain (sama dengan data yang "
                                   "sudah tersimpan)")
    assert await rows(app, "SELECT COUNT(*) FROM respondents WHERE unit_code = 'RSUD'") == [(0,)]


async def test_excel_file_with_english_headers_numbers_and_date_cells(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Full Name", "Mobile Number", "Email Address", "Unit Code", "Category",
                  "Start Date"])
    sheet.append(["Dewi Lestari", 81234560001, "dewi@contoh.id", "RSUD", "external",
                  datetime(2020, 1, 2)])
    sheet.append(["Eko Saputra", 6281234560002.0, None, "RSUD", "Expert", date(2018, 5, 6)])
    sheet.append([None, None, None, None, None, None])  # trailing blank row
    sheet.append(["Fani", "0812-3456-0003", None, "RSUD", "internal", "not a date"])
    path = tmp_path / "rsud.xlsx"
    book.save(path)
    refused = await run_cli(monkeypatch, settings, "respondents", "import", str(path))
    assert refused.code == 1 and "BERKAS DITOLAK: 1 baris" in refused.out
    report = report_rows(tmp_path / "rsud-laporan.csv")
    assert [(r["baris"], r["alasan"][:25]) for r in report] == [
        ("5", "tanggal mulai tidak terba")]
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(path),
                           "--skip-invalid")
    assert result.code == 0, result.out
    assert await rows(app, "SELECT phone, category, started_on FROM respondents ORDER BY id") == [
        ("+6281234560001", "external", "2020-01-02"), ("+6281234560002", "expert", "2018-05-06")]


async def test_map_override_and_whole_file_defaults(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write(tmp_path / "dishub.csv", "Responden\tKontak Utama\nRudi Hartono\t0813 2222 "
                                             "3333\n")
    missing = await run_cli(monkeypatch, settings, "respondents", "import", str(source))
    assert missing.code == 1
    assert "Kolom wajib tidak ditemukan: name, phone, unit" in missing.out
    assert await rows(app, "SELECT COUNT(*) FROM respondents") == [(0,)]
    bad_map = await run_cli(monkeypatch, settings, "respondents", "import", str(source),
                            "--map", "name=Tidak Ada")
    assert bad_map.code == 1 and "Kolom 'Tidak Ada' (untuk name) tidak ada" in bad_map.out
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(source),
                           "--map", "name=responden", "--map", "phone=KONTAK  utama",
                           "--unit", "DISHUB", "--category", "eksternal")
    assert result.code == 0, result.out
    assert await rows(app, "SELECT name, phone, unit_code, category FROM respondents") == [
        ("Rudi Hartono", "+6281322223333", "DISHUB", "external")]


async def test_named_sheet_and_unreadable_excel(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "Petunjuk"
    first.append(["Isi lembar Responden"])
    sheet = book.create_sheet("Responden")
    sheet.append(["Nama", "WhatsApp", "Unit", "Kategori"])
    sheet.append(["Dewi Lestari", "081234560001", "PBJ", "eksternal"])
    path = tmp_path / "pbj.xlsx"
    book.save(path)
    missing = await run_cli(monkeypatch, settings, "respondents", "import", str(path),
                            "--sheet", "Data")
    assert missing.code == 1 and "Lembar 'Data' tidak ada" in missing.out
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(path),
                           "--sheet", "Responden")
    assert result.code == 0, result.out
    assert await rows(app, "SELECT unit_code FROM respondents") == [("PBJ",)]
    broken = write(tmp_path / "rusak.xlsx", "bukan excel")
    refused = await run_cli(monkeypatch, settings, "respondents", "import", str(broken))
    assert refused.code == 1 and "Berkas Excel tidak bisa dibuka" in refused.out
