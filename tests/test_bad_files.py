"""Bad files through `spi-bot respondents import|export` and `spi-bot units import|list`:
refused clearly and whole, never half-read, never a traceback; exports never carry formulas."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bot.app import App
from core.settings import Settings
from tests.support.cli import CliResult, run_cli
from tests.support.zip_bomb import write_bomb

ROOT = Path(__file__).resolve().parent.parent
HEADER = "nama,hp,email,unit,kategori\n"


async def count(app: App, sql: str) -> int:
    async with app.db.reading() as conn, conn.execute(sql) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


def refused(result: CliResult, *phrases: str) -> None:
    assert result.code == 1, result.out
    assert "Traceback" not in result.out
    for phrase in phrases:
        assert phrase in result.out, result.out


def report(path: Path) -> dict[int, str]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {int(r["baris"]): r["alasan"] for r in csv.DictReader(f)}


_CHILD = """
import json, resource, sys
from bot.cli import main
codes = [main(["respondents", "import", name]) for name in sys.argv[1:]]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print(json.dumps({"codes": codes, "peak_mb": peak}))
"""


def test_zip_bombs_are_refused_before_they_expand_in_bounded_memory(tmp_path: Path) -> None:
    honest = tmp_path / "bom.xlsx"
    liar = tmp_path / "bom-bohong.xlsx"
    assert write_bomb(honest, megabytes=1024) > 1024**3 - 100_000
    write_bomb(liar, megabytes=1024, declared_size=4096)  # says 4 KB, inflates to 1 GB
    assert max(honest.stat().st_size, liar.stat().st_size) < 5 * 1024 * 1024
    env = {k: v for k, v in os.environ.items() if not k.startswith("SPI_")}
    env |= {"SPI_DATABASE_PATH": str(tmp_path / "bot.db"), "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", _CHILD, honest.name, liar.name],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
                          timeout=240)
    assert "Traceback" not in done.stderr, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["codes"] == [1, 1], done.stdout
    assert done.stdout.count("lebih dari 200 MB setelah dibuka") == 2, done.stdout
    # A gigabyte of XML read by the spreadsheet library took gigabytes (6.3 GB for a 2 MB
    # bomb); refused, the whole command (Python, the app, both files) stays within a few times
    # its idle size: 79 MB here alone, 150 MB once inside a fresh clone's first full run.
    assert result["peak_mb"] < 256, result


async def test_a_zip_whose_sizes_do_not_add_up_is_refused(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small = tmp_path / "kecil.xlsx"
    write_bomb(small, megabytes=1, declared_size=1000)  # inflates to 1 MB, says 1,000 bytes
    refused(await run_cli(monkeypatch, settings, "respondents", "import", str(small)),
            "ukuran isinya tidak sesuai")
    many = tmp_path / "banyak.xlsx"
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(1001):
            archive.writestr(f"x{i}.xml", "")
    refused(await run_cli(monkeypatch, settings, "respondents", "import", str(many)),
            "lebih dari 1000 bagian")
    assert await count(app, "SELECT COUNT(*) FROM respondents") == 0


async def test_mixed_encodings_are_refused_and_a_single_legacy_one_is_read(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mixed = tmp_path / "campur.csv"
    mixed.write_bytes(HEADER.encode() + "Désirée Lestari,081234567001,,RSUD,internal\n".encode()
                      + "André Wijaya,081234567002,,RSUD,internal\n".encode("latin-1"))
    refused(await run_cli(monkeypatch, settings, "respondents", "import", str(mixed)),
            "Pengodean berkas bercampur", "baris 3")
    assert await count(app, "SELECT COUNT(*) FROM respondents") == 0
    legacy = tmp_path / "lama.csv"
    legacy.write_bytes((HEADER + "André Wijaya,081234567002,,RSUD,internal\n").encode("cp1252"))
    unicode_text = tmp_path / "unicode.txt"  # Excel's "Unicode Text": UTF-16, tab-separated
    unicode_text.write_text("nama\thp\tunit\tkategori\nDésirée Lestari\t081234567001\tRSUD\t"
                            "internal\n", encoding="utf-16")
    no_bom = tmp_path / "tanpa-bom.csv"
    no_bom.write_bytes((HEADER + "Budi Santoso,081234567001,,RSUD,internal\n")
                       .encode("utf-16-le"))
    refused(await run_cli(monkeypatch, settings, "respondents", "import", str(no_bom)),
            "UTF-16 tanpa penanda")
    for path in (legacy, unicode_text):
        result = await run_cli(monkeypatch, settings, "respondents", "import", str(path))
        assert result.code == 0, result.out
    async with app.db.reading() as conn, conn.execute(
            "SELECT name FROM respondents ORDER BY name") as cur:
        assert [r[0] for r in await cur.fetchall()] == ["André Wijaya", "Désirée Lestari"]


async def test_control_characters_and_formulas_are_refused_per_row_with_a_reason(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "kendali.csv"
    source.write_text(
        HEADER
        + "Budi Santoso,081234567001,budi@contoh.id,RSUD,internal\n"
        + "Budi\x00Santoso,081234567002,,RSUD,internal\n"
        + "Rina Wati,081234567003,\"rina\x1b[2J@contoh.id\",RSUD,internal\n"
        + "=HYPERLINK(\"http://contoh.id\"),081234567004,,RSUD,internal\n"
        + "Ahmad Yani,081234567005,=1+1@contoh.id,RSUD,internal\n"
        + "Dewi Lestari,0812345\x0767006,,RSUD,internal\n", encoding="utf-8")
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(source))
    refused(result, "BERKAS DITOLAK: 5 baris")
    reasons = report(tmp_path / "kendali-laporan.csv")
    assert set(reasons) == {3, 4, 5, 6, 7}
    assert reasons[3].startswith("nama berisi karakter kendali")
    assert reasons[4].startswith("sel berisi karakter kendali") and "kolom email" in reasons[4]
    assert reasons[5].startswith("nama diawali =")
    assert reasons[6].startswith("e-mail diawali =")
    assert "kolom hp" in reasons[7]
    with (tmp_path / "kendali-laporan.csv").open(encoding="utf-8-sig", newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    # the report echoes the rows as inert text: escaped controls, formulas behind a quote
    assert "'=HYPERLINK(\"http://contoh.id\")" in cells and "Budi\\x00Santoso" in cells
    assert not any(cell.startswith("=") or "\x00" in cell for cell in cells)
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(source),
                           "--skip-invalid")
    assert result.code == 0, result.out
    assert await count(app, "SELECT COUNT(*) FROM respondents") == 1


async def test_exports_write_text_never_formulas_even_for_old_rows(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    source = tmp_path / "daftar.csv"
    source.write_text(HEADER + "Budi Santoso,081234567001,budi@contoh.id,RSUD,internal\n"
                      "Rina Wati,081234567002,,RSUD,internal\n"
                      "Dewi Lestari,081234567003,,RSUD,internal\n"
                      "Eko Saputra,081234567004,,RSUD,internal\n")
    assert (await run_cli(monkeypatch, settings, "respondents", "import", str(source))).code == 0
    # Rows stored before names were checked (the old import let these through).
    async with app.db.transaction() as conn:
        for phone, name in (("+6281234567001", "=HYPERLINK(\"http://x.id\",\"klik\")"),
                            ("+6281234567002", "@SUM(1+1)*cmd|' /C calc'!A0"),
                            ("+6281234567003", "Dewi\x00Lestari"),
                            ("+6281234567004", "-2+3")):
            await conn.execute("UPDATE respondents SET name = ? WHERE phone = ?", (name, phone))
    mapping = tmp_path / "kpk.toml"
    mapping.write_text('columns = [{ header = "NAMA", field = "name" },\n'
                       '  { header = "=TELEPON", field = "phone" }]\n')
    csv_out, xlsx_out = tmp_path / "kpk.csv", tmp_path / "kpk.xlsx"
    for out in (csv_out, xlsx_out):
        result = await run_cli(monkeypatch, settings, "respondents", "export", str(out),
                               "--mapping", str(mapping))
        assert result.code == 0 and "4 responden" in result.out, result.out
    with csv_out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["NAMA", "'=TELEPON"]
    assert sorted(rows[1:]) == sorted([
        ["'=HYPERLINK(\"http://x.id\",\"klik\")", "+6281234567001"],  # a plain number stays
        ["'@SUM(1+1)*cmd|' /C calc'!A0", "+6281234567002"],
        ["Dewi\\x00Lestari", "+6281234567003"],
        ["'-2+3", "+6281234567004"]])
    with zipfile.ZipFile(xlsx_out) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # not one formula in the sheet
    book = load_workbook(xlsx_out)
    sheet = book.worksheets[0]
    cells = {c.value: c for row in sheet.iter_rows() for c in row}
    book.close()
    assert all(c.data_type == "s" for c in cells.values())
    for text in ("=HYPERLINK(\"http://x.id\",\"klik\")", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3",
                 "=TELEPON"):
        assert cells[text].quotePrefix, text  # stays text even when edited in Excel
    assert "Dewi\\x00Lestari" in cells


async def test_folders_unreadable_paths_and_oversized_fields_get_indonesian_answers(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "daftar"
    folder.mkdir()
    for command in (("respondents", "import"), ("units", "import")):
        refused(await run_cli(monkeypatch, settings, *command, str(folder)),
                "adalah folder, bukan berkas")
        refused(await run_cli(monkeypatch, settings, *command, str(tmp_path / "tidak-ada.csv")),
                "tidak ditemukan")
        refused(await run_cli(monkeypatch, settings, *command, str(tmp_path / "x.csv" / "y")),
                "tidak ditemukan")
    not_a_folder = tmp_path / "berkas.csv"
    not_a_folder.write_text(HEADER)
    refused(await run_cli(monkeypatch, settings, "respondents", "import",
                          str(not_a_folder / "y.csv")), "bagian jalurnya bukan folder")
    refused(await run_cli(monkeypatch, settings, "respondents", "export", str(folder)),
            "harus berakhiran .csv")
    folder_csv = tmp_path / "folder.csv"
    folder_csv.mkdir()
    refused(await run_cli(monkeypatch, settings, "respondents", "export", str(folder_csv)),
            "adalah folder, bukan berkas")
    refused(await run_cli(monkeypatch, settings, "respondents", "export", str(tmp_path / "k.csv"),
                          "--mapping", str(folder)), "adalah folder, bukan berkas")

    long_name = tmp_path / "panjang.csv"
    long_name.write_text(HEADER + "A" * 131_072 + ",081234567001,,RSUD,internal\n"
                         "Budi Santoso,081234567002,,RSUD,internal\n")
    refused(await run_cli(monkeypatch, settings, "respondents", "import", str(long_name)),
            "BERKAS DITOLAK: 1 baris")
    assert report(tmp_path / "panjang-laporan.csv")[2].startswith("nama lebih dari 100")
    past_limit = tmp_path / "kebesaran.csv"
    past_limit.write_text(HEADER + "Budi Santoso,081234567001,,RSUD,internal\n"
                          + "B" * 131_073 + ",081234567002,,RSUD,internal\n")
    refused(await run_cli(monkeypatch, settings, "respondents", "import", str(past_limit)),
            "Baris 3: ada sel lebih dari 131072 karakter")
    units = tmp_path / "unit.csv"
    units.write_text("kode,nama,wilayah,zona_waktu,layanan\nRSUD,RSUD,Kab,WITA,Rawat jalan\n"
                     "PBJ,Bagian PBJ,Kab,WITA," + "x" * 131_073 + "\n")
    refused(await run_cli(monkeypatch, settings, "units", "import", str(units)),
            "baris 3: tidak bisa dibaca sebagai CSV (ada sel yang terlalu panjang)")
    assert await count(app, "SELECT COUNT(*) FROM respondents") == 0


async def test_units_import_keeps_line_numbers_for_controls_formulas_and_encodings(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = await count(app, "SELECT COUNT(*) FROM units")
    units = tmp_path / "unit.csv"
    units.write_text("kode,nama,wilayah,zona_waktu,layanan\n"
                     "SATPOL,Satpol PP,-,WITA,Ketertiban\n"
                     "DINSOS,Dinas\x1b[2J Sosial,Kab,WITA,Bansos\n"
                     "DISKOMINFO,=cmd|' /C calc'!A0,Kab,WITA,Informasi\n"
                     "DPRD,Sekretariat DPRD,Kab,WITA,@SUM(1)\n", encoding="utf-8")
    result = await run_cli(monkeypatch, settings, "units", "import", str(units))
    refused(result, "baris 3: berisi karakter kendali", "baris 4: nama, wilayah atau layanan "
            "diawali =", "baris 5: nama, wilayah")
    assert "\x1b" not in result.out
    mixed = tmp_path / "campur.csv"
    mixed.write_bytes(b"kode,nama,wilayah,zona_waktu,layanan\nDINSOS,Dinas Sosial,Kab,WITA,"
                      b"Bansos\n" + "SATPOL,Satpol PP,Kab,WITA,Ketertiban ümum\n"
                      .encode("latin-1") + "DPRD,Sekretariat,Kab,WITA,Aspirasi ümum\n".encode())
    refused(await run_cli(monkeypatch, settings, "units", "import", str(mixed)),
            "Pengodean berkas bercampur", "baris 3")
    assert await count(app, "SELECT COUNT(*) FROM units") == before


async def test_cli_shows_citizen_text_with_control_characters_escaped(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async with app.db.transaction() as conn:  # a name stored before unit files were checked
        await conn.execute("UPDATE units SET name = ? WHERE code = 'RSUD'",
                           ("RSUD\x1b]0;diretas\x07 Sukamaju\u202e",))
    for command in (("units", "list"), ("respondents", "quality")):
        result = await run_cli(monkeypatch, settings, *command)
        assert result.code == 0, result.out
        assert "RSUD\\x1b]0;diretas\\x07 Sukamaju\\u202e" in result.out
        assert not any(ch in result.out for ch in "\x1b\x07\u202e")
