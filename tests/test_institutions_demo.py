"""The demo data set of three institutions, and statistics per institution against the national
aggregate, through `spi-bot` on both backends (issue 15's done-when)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.app import App
from core.settings import Settings
from inspectorate.demo import DEMO, people_of
from inspectorate.stats import national_sections
from tests.support.cli import run_cli
from tests.support.outreach import rows

pytestmark = pytest.mark.both_backends


def expected(code: str) -> dict[str, int]:
    number, inst = next((n, d) for n, d in enumerate(DEMO, start=1) if d.code == code)
    people = people_of(number, inst)
    return {"total": len(people), "verified": sum(p.status == "verified" for p in people),
            "pending": sum(p.status == "registered" for p in people),
            "opted_out": sum(p.opted_out for p in people),
            "bot": sum(p.source == "bot" for p in people)}


def row_of(out: str, label: str) -> list[str]:
    """The cells of the first table row starting with `label`."""
    line = next(line for line in out.splitlines() if line.startswith(label))
    return line[len(label):].split()


async def load(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    result = await run_cli(monkeypatch, settings, "institutions", "demo")
    assert result.code == 0, result.out
    return result.out


async def test_demo_loads_once_and_a_reload_changes_nothing(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await load(settings, monkeypatch)
    assert "3 instansi, 20 unit, 310 calon responden fiktif" in first
    snapshot = [await rows(app, sql) for sql in (
        "SELECT code, name, kind, timezone FROM institutions ORDER BY id",
        "SELECT code, institution_id FROM units ORDER BY code",
        "SELECT institution_id, phone, name, unit_code, status, source, opted_out_at, "
        "created_at FROM respondents ORDER BY id",
        "SELECT institution_id, day, intent, count FROM faq_daily ORDER BY 1, 2, 3",
        "SELECT institution_id, day, verdict, count FROM check_daily ORDER BY 1, 2, 3")]
    again = await load(settings, monkeypatch)
    assert "sudah dimuat sebelumnya; tidak ada yang berubah" in again
    assert [await rows(app, sql) for sql in (
        "SELECT code, name, kind, timezone FROM institutions ORDER BY id",
        "SELECT code, institution_id FROM units ORDER BY code",
        "SELECT institution_id, phone, name, unit_code, status, source, opted_out_at, "
        "created_at FROM respondents ORDER BY id",
        "SELECT institution_id, day, intent, count FROM faq_daily ORDER BY 1, 2, 3",
        "SELECT institution_id, day, verdict, count FROM check_daily ORDER BY 1, 2, 3")] \
        == snapshot
    # a province and two regencies (as issue 15 asks), 20 units, obviously fake people
    assert [r[2] for r in snapshot[0][1:]] == ["provinsi", "kabupaten", "kabupaten"]
    assert len([u for u in snapshot[1] if str(u[0]).startswith("DEMO")]) == 20
    people = snapshot[2]
    assert len(people) == 310
    assert all(str(p[1]).startswith("+62840") and str(p[2]).startswith("Contoh Responden")
               for p in people)
    assert {p[4] for p in people} == {"verified", "registered"}
    assert any(p[6] for p in people)  # some opted out
    shown = await run_cli(monkeypatch, settings, "institutions", "show", "DEMO-KAB")
    assert "Unit               : 8" in shown.out
    assert "Calon responden    : 110" in shown.out
    assert "+62840" not in shown.out and "Contoh Responden" not in shown.out


async def test_stats_per_institution_and_national_differ_as_expected(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    await load(settings, monkeypatch)
    figures = {d.code: expected(d.code) for d in DEMO}
    outs = {}
    for inst in DEMO:
        result = await run_cli(monkeypatch, settings, "stats", "--institution", inst.code)
        assert result.code == 0, result.out
        outs[inst.code] = result.out
        mine = figures[inst.code]
        assert row_of(result.out, "Nomor terverifikasi") == [str(mine["verified"])]
        assert row_of(result.out, "Berhenti menerima pesan (STOP)") == [str(mine["opted_out"])]
        # its own units, nobody else's
        for other in DEMO:
            for _code, unit_name in other.units:
                assert (unit_name in result.out) == (other is inst), (inst.code, unit_name)
        assert "+62840" not in result.out and "Contoh Responden" not in result.out
    assert len(set(outs.values())) == 3

    national = await run_cli(monkeypatch, settings, "stats", "--national", "--csv",
                             str(tmp_path / "nasional.csv"))
    assert national.code == 0, national.out
    total = {key: sum(f[key] for f in figures.values()) for key in figures["DEMO-KAB"]}
    assert row_of(national.out, "Nomor terverifikasi") == [str(total["verified"])]
    assert row_of(national.out, "Berhenti menerima pesan (STOP)") == [str(total["opted_out"])]
    assert row_of(national.out, "Semua instansi")[-1] == str(total["total"])
    assert row_of(national.out, "Instansi dengan calon responden") == ["3"]
    assert row_of(national.out, "Unit layanan")[-1] == str(20 + await _units_of_one(app))
    # totals only: no unit, no institution, no single broadcast, no person
    for inst in DEMO:
        assert inst.name not in national.out and inst.code not in national.out
        assert not any(unit_name in national.out for _c, unit_name in inst.units)
    assert "+62840" not in national.out and "Contoh Responden" not in national.out
    with (tmp_path / "nasional.csv").open(encoding="utf-8-sig") as f:
        cells = {cell for line in csv.reader(f) for cell in line}
    assert not any(name in cells for inst in DEMO for _c, name in inst.units)
    # FAQ counts: the national figure is the sum of the three
    faq = {code: int(row_of(out, "is_official")[0]) for code, out in outs.items()}
    assert row_of(national.out, "is_official") == [str(sum(faq.values()))]
    audit = await rows(app, "SELECT action, detail FROM audit_log WHERE action = 'stats.viewed' "
                            "ORDER BY id")
    assert len(audit) == 4


async def _units_of_one(app: App) -> int:
    return int(str((await rows(app, "SELECT COUNT(*) FROM units WHERE institution_id = 1"))[0][0]))


async def test_stats_need_the_institution_when_there_are_several(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = await run_cli(monkeypatch, settings, "stats")  # one institution: as before
    assert alone.code == 0 and "Calon responden per unit" in alone.out
    await load(settings, monkeypatch)
    several = await run_cli(monkeypatch, settings, "stats")
    assert several.code == 2 and "Calon responden" not in several.out
    unknown = await run_cli(monkeypatch, settings, "stats", "--institution", "TIDAK-ADA")
    assert unknown.code == 2 and "Calon responden" not in unknown.out
    both = await run_cli(monkeypatch, settings, "stats", "--national", "--institution",
                         "DEMO-KAB")
    assert both.code == 2 and "Pilih salah satu" in both.out


async def test_national_counts_of_a_handful_are_not_shown_exactly(app: App) -> None:
    async with app.db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO respondents (phone, name, unit_code, status, source, opted_out_at, "
            "created_at, updated_at) VALUES (?, 'X', 'RSUD', ?, 'bot', ?, 't', 't')",
            [("+6281200000001", "verified", "t"), ("+6281200000002", "verified", None),
             ("+6281200000003", "registered", None)])
    async with app.db.reading() as conn:
        sections = {s.key: s for s in await national_sections(conn)}
    status = {str(r[0]): r[1] for r in sections["national_status"].rows}
    assert status["Nomor terverifikasi"] == "<5"
    assert status["Berhenti menerima pesan (STOP)"] == "<5"
    assert status["Data dihapus (HAPUS DATA, petugas, retensi)"] == 0
    assert sections["national_registrations"].rows[0][-1] == "<5"
