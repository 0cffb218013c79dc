"""One name rule: the chat and `spi-bot respondents import` give the same verdict on the same
names, and neither lets through what a spreadsheet would run or a terminal would obey."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.app import App
from core.messages import Channel
from core.names import NameProblem, check_name
from core.settings import Settings
from tests.support.cli import run_cli
from tests.support.dialog import User

# (name as typed or as written in the cell, accepted?)
TRICKY: list[tuple[str, bool]] = [
    ("Siti Aminah", True),
    ("siti aminah", True),
    ("  Budi    Santoso  ", True),
    ("Ir. H. Budi Santoso, M.Si.", True),
    ("Ma'ruf Amin", True),
    ("Ma’ruf Amin", True),
    ("Abdul-Aziz O'Neil", True),
    ("Nguyễn Văn An", True),
    ("Jose\u0301 Rizal", True),  # decomposed accent: stored composed
    ("Budi\nSantoso", True),  # line break inside: folded into a space
    ("\rBudi Santoso", True),  # leading carriage return is whitespace, and removed
    ("A" * 100, True),
    ("A" * 101, False),
    ("=HYPERLINK(\"http://contoh.id\",\"klik\")", False),
    ("=1+1", False),
    ("+Budi", False),
    ("-Budi", False),
    ("@SUM(A1)", False),
    ("\t=1+1", False),  # a tab in front does not hide the formula
    ("Budi\x00Santoso", False),
    ("Budi\x1b[31mSantoso", False),
    ("Budi\u202eSantoso", False),  # right-to-left override
    ("Budi\u200bSantoso", False),  # zero-width space
    ("Budi\x7fSantoso", False),
    ("B", False),
    ("12345", False),
    ("Budi Santoso 2", False),
    ("Dr. (H.C.) Budi", False),
    ("Budi/Santoso", False),
    (".Budi", False),
]


def test_the_rule_itself() -> None:
    assert check_name("  siti   aminah ") == ("siti aminah", None)
    assert check_name("Jose\u0301") == ("José", None)
    assert check_name("=1+1")[1] is NameProblem.FORMULA
    assert check_name("Budi\x00")[1] is NameProblem.CONTROL
    assert check_name("x" * 131_072)[1] is NameProblem.TOO_LONG
    assert check_name(" \t ")[1] is NameProblem.MISSING
    assert check_name("Budi\ud800")[1] is NameProblem.CONTROL  # a lone surrogate


async def chat_accepts(app: App, sender: str, name: str) -> bool:
    user = User(app.engine, Channel.TELEGRAM, sender)
    await user.say("/start DISDUKCAPIL", start="DISDUKCAPIL")
    await user.say("1")  # consent
    await user.say(name)
    refused = app.deps.catalog.text("id", "reg.bad_name")
    return refused not in user.text


async def test_chat_and_import_give_the_same_verdict(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chat = {name: await chat_accepts(app, str(7000 + i), name)
            for i, (name, _) in enumerate(TRICKY)}
    source = tmp_path / "nama.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, quoting=csv.QUOTE_ALL)
        writer.writerow(["nama", "hp", "unit", "kategori"])
        for i, (name, _) in enumerate(TRICKY):
            writer.writerow([name, f"0812345{i:05d}", "DISDUKCAPIL", "internal"])
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(source))
    assert result.code == 1, result.out  # some names are refused, so the whole file is
    with (tmp_path / "nama-laporan.csv").open(encoding="utf-8-sig", newline="") as f:
        refused_lines = {int(r["baris"]): r["alasan"] for r in csv.DictReader(f)}
    imported = {name: i + 2 not in refused_lines for i, (name, _) in enumerate(TRICKY)}
    expected = dict(TRICKY)
    assert chat == expected
    assert imported == expected
    assert all(reason.startswith("nama") for reason in refused_lines.values())
    assert refused_lines[TRICKY.index(("=1+1", False)) + 2].startswith("nama diawali =")
    assert "karakter kendali" in refused_lines[TRICKY.index(("Budi\x00Santoso", False)) + 2]
