"""`spi-bot audit [--institution CODE] [--limit N]`: one institution's audit trail, never
another's, on both backends (issue 15)."""

from __future__ import annotations

import pytest

from bot.app import App
from core.settings import Settings
from tests.support.cli import run_cli
from tests.support.outreach import rows

pytestmark = pytest.mark.both_backends


async def test_one_institution_alone_needs_no_option(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await run_cli(monkeypatch, settings, "stats")  # audited: stats.viewed
    shown = await run_cli(monkeypatch, settings, "audit")
    assert shown.code == 0, shown.out
    assert "Jejak audit UTAMA" in shown.out
    assert "stats.viewed" in shown.out
    assert (await rows(app, "SELECT institution_id FROM audit_log WHERE action = "
                            "'audit.viewed'")) == [(1,)]


async def test_each_institution_sees_its_own_trail_only(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (await run_cli(monkeypatch, settings, "institutions", "demo")).code == 0
    for code in ("DEMO-PROV", "DEMO-KAB", "DEMO-KAB"):
        assert (await run_cli(monkeypatch, settings, "institutions", "show", code)).code == 0
    ids = dict(await rows(app, "SELECT code, id FROM institutions"))

    several = await run_cli(monkeypatch, settings, "audit")
    assert several.code == 2 and "--institution" in several.out

    kab = await run_cli(monkeypatch, settings, "audit", "--institution", "demo-kab")
    assert kab.code == 0, kab.out
    assert kab.out.count("institution.shown") == 2
    assert f"institution:{ids['DEMO-KAB']}" in kab.out
    assert f"institution:{ids['DEMO-PROV']}" not in kab.out
    assert "Asia/Makassar" in kab.out

    prov = await run_cli(monkeypatch, settings, "audit", "--institution", "DEMO-PROV",
                         "--limit", "1")
    assert prov.code == 0, prov.out
    assert prov.out.count("institution.shown") == 1
    assert f"institution:{ids['DEMO-KAB']}" not in prov.out

    kab2 = await run_cli(monkeypatch, settings, "audit", "--institution", "DEMO-KAB2")
    assert "(belum ada catatan)" in kab2.out  # its first row is this viewing, written after

    unknown = await run_cli(monkeypatch, settings, "audit", "--institution", "TIDAK-ADA")
    assert unknown.code == 2 and "tidak ditemukan" in unknown.out
    viewed = await rows(app, "SELECT institution_id FROM audit_log WHERE action = "
                             "'audit.viewed' ORDER BY id")
    assert [r[0] for r in viewed] == [ids["DEMO-KAB"], ids["DEMO-PROV"], ids["DEMO-KAB2"]]


async def test_limit_out_of_range_is_refused_politely(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    for bad in ("0", "abc", "5000"):
        with pytest.raises(SystemExit) as refused:  # argparse's usage message, exit 2
            await run_cli(monkeypatch, settings, "audit", "--limit", bad)
        assert refused.value.code == 2
