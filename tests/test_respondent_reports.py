"""`spi-bot respondents export` (mapping file) and `respondents quality`."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.app import App
from core.messages import Channel
from core.settings import Settings
from tests.support.cli import run_cli
from tests.support.dialog import User, register

LIST = """\
nama,hp,email,unit,kategori,tanggal mulai
Budi Santoso,081234567001,budi@contoh.id,DISDUKCAPIL,internal,2019-03-01
Rina Wati,081311112222,,RSUD,eksternal,
Ahmad Yani,085722223333,budi@contoh.id,RSUD,ahli,
Dedi,0812,,RSUD,internal,
"""


async def prepare(app: App, settings: Settings, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    await register(User(app.engine, Channel.TELEGRAM, "5001"), "RSUD")
    source = tmp_path / "daftar.csv"
    source.write_text(LIST)
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(source),
                           "--skip-invalid")
    assert result.code == 0, result.out


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


async def test_default_export_marks_imported_people_and_keeps_leading_zero(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await prepare(app, settings, tmp_path, monkeypatch)
    out = tmp_path / "rsud.csv"
    result = await run_cli(monkeypatch, settings, "respondents", "export", str(out),
                           "--unit", "rsud")
    assert result.code == 0 and "3 responden" in result.out
    assert read_csv(out) == [
        ["Nama", "Nomor WhatsApp", "Email", "Kategori", "Unit", "Tanggal Mulai",
         "Sumber Data", "Persetujuan Lewat Bot"],
        ["Ahmad Yani", "085722223333", "budi@contoh.id", "eksper", "RSUD Sukamaju", "", "impor",
         "tidak"],
        ["Rina Wati", "081311112222", "", "eksternal", "RSUD Sukamaju", "", "impor", "tidak"],
        ["Siti Aminah", "081234567890", "siti@contoh.id", "eksternal", "RSUD Sukamaju", "",
         "bot", "ya"],
    ]


async def test_mapping_file_decides_the_columns_and_excel_output(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openpyxl import load_workbook

    await prepare(app, settings, tmp_path, monkeypatch)
    mapping = tmp_path / "kpk.toml"
    mapping.write_text('columns = [\n  { header = "NO_WA", field = "phone_digits" },\n'
                       '  { header = "KATEGORI", field = "category" },\n]\n')
    out = tmp_path / "semua.xlsx"
    result = await run_cli(monkeypatch, settings, "respondents", "export", str(out),
                           "--mapping", str(mapping))
    assert result.code == 0, result.out
    book = load_workbook(out, read_only=True)
    rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    assert rows[0] == ["NO_WA", "KATEGORI"]
    assert sorted(rows[1:]) == sorted([["6281234567001", "internal"],
                                       ["6285722223333", "eksper"],
                                       ["6281311112222", "eksternal"],
                                       ["6281234567890", "eksternal"]])
    mapping.write_text('columns = [{ header = "X", field = "nik" }]\n')
    bad = await run_cli(monkeypatch, settings, "respondents", "export", str(out),
                        "--mapping", str(mapping))
    assert bad.code == 1 and "field harus salah satu dari" in bad.out


async def test_quality_report_per_unit(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await prepare(app, settings, tmp_path, monkeypatch)
    result = await run_cli(monkeypatch, settings, "respondents", "quality")
    assert result.code == 0, result.out
    lines = {line.split("  ")[0]: line.split()[-10:] for line in result.out.splitlines()
             if line.strip()}
    # internal, external, expert, total, valid, duplicates, bad numbers, no e-mail, bot, import
    assert lines["RSUD Sukamaju"] == ["0", "2", "1", "3", "2", "1", "1", "1", "1", "2"]
    assert lines["Dinas Kependudukan dan Pencatatan Sipil"] == [
        "1", "0", "0", "1", "0", "1", "0", "0", "0", "1"]
    assert lines["JUMLAH"][3] == "4"


async def test_numbers_typed_in_a_chat_stay_out_of_the_kpk_list_unless_asked(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 12: anyone can type someone else's number in the web chat or on Telegram; such an
    unproven registration must not reach KPK's list by default (imports are the
    inspectorate's own lists and stay)."""
    await prepare(app, settings, tmp_path, monkeypatch)
    await register(User(app.engine, Channel.WEB, "web-1"), "RSUD", name="Orang Asing",
                   phone="081399998888", email="asing@contoh.id")
    out = tmp_path / "kpk.csv"
    result = await run_cli(monkeypatch, settings, "respondents", "export", str(out))
    assert result.code == 0 and "1 pendaftaran lewat chat tidak ikut" in result.out
    names = [row[0] for row in read_csv(out)[1:]]
    assert "Orang Asing" not in names and {"Siti Aminah", "Rina Wati"} <= set(names)

    result = await run_cli(monkeypatch, settings, "respondents", "export", str(out),
                           "--include-unverified")
    assert result.code == 0 and "tidak ikut" not in result.out
    assert "Orang Asing" in [row[0] for row in read_csv(out)[1:]]
