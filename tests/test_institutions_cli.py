"""`spi-bot institutions add|list|show` through the front door, on both backends (issue 15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App
from core.settings import Settings
from tests.support.cli import run_cli
from tests.support.outreach import rows

pytestmark = pytest.mark.both_backends

ADD = ("institutions", "add", "KAB-SUKAMAJU", "Inspektorat Kabupaten Sukamaju",
       "--kind", "kabupaten", "--timezone", "Asia/Makassar", "--phone", "(0411) 555-0198",
       "--email", "Inspektorat@SukamajuKab.go.id")


async def test_add_then_list_and_show(app: App, settings: Settings,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    added = await run_cli(monkeypatch, settings, *ADD)
    assert added.code == 0, added.out
    assert "Instansi KAB-SUKAMAJU ditambahkan" in added.out
    assert "--institution KAB-SUKAMAJU" in added.out
    stored = await rows(app, "SELECT code, name, kind, timezone, contact_phone, contact_email, "
                             "whatsapp_sender, telegram_bot FROM institutions ORDER BY id")
    assert stored[1] == ("KAB-SUKAMAJU", "Inspektorat Kabupaten Sukamaju", "kabupaten",
                         "Asia/Makassar", "(0411) 5550198", "Inspektorat@sukamajukab.go.id",
                         None, None)
    listing = await run_cli(monkeypatch, settings, "institutions", "list")
    assert listing.code == 0
    assert "KAB-SUKAMAJU" in listing.out and "UTAMA" in listing.out
    assert "2 instansi." in listing.out
    shown = await run_cli(monkeypatch, settings, "institutions", "show", "kab-sukamaju")
    assert shown.code == 0, shown.out
    assert "Inspektorat Kabupaten Sukamaju" in shown.out
    assert "Unit               : 0" in shown.out
    assert "Calon responden    : 0" in shown.out
    # in the institution's own trail, not institution 1's
    assert await rows(app, "SELECT actor, action, subject, institution_id FROM audit_log "
                           "ORDER BY id") == [
        ("cli", "institution.added", "institution:2", 2),
        ("cli", "institution.shown", "institution:2", 2)]


async def test_own_sender_and_bot_and_zone_labels(app: App, settings: Settings,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    result = await run_cli(monkeypatch, settings, "institutions", "add", "kota_makmur",
                           "Inspektorat Kota Makmur", "--kind", "kota", "--timezone", "wit",
                           "--email", "itko@makmur.go.id", "--whatsapp-sender", "0812 3000 4000",
                           "--telegram-bot", "@ItkoMakmurBot")
    assert result.code == 0, result.out
    assert await rows(app, "SELECT code, timezone, contact_phone, whatsapp_sender, telegram_bot "
                           "FROM institutions WHERE id = 2") == [
        ("KOTA_MAKMUR", "Asia/Jayapura", "", "+6281230004000", "ItkoMakmurBot")]
    shown = await run_cli(monkeypatch, settings, "institutions", "show", "KOTA_MAKMUR")
    assert "+6281230004000" in shown.out and "@ItkoMakmurBot" in shown.out
    # a second institution cannot take the same own sender or bot
    again = await run_cli(monkeypatch, settings, "institutions", "add", "KOTA-LAIN",
                          "Inspektorat Kota Lain", "--kind", "kota", "--timezone", "WIB",
                          "--email", "a@lain.go.id", "--whatsapp-sender", "+6281230004000",
                          "--telegram-bot", "itkomakmurbot")
    assert again.code == 1
    assert "pengirim WhatsApp itu sudah dipakai" in again.out
    assert "Bot Telegram itu sudah dipakai" in again.out


async def test_a_duplicate_code_is_refused_politely_whatever_its_case(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    assert (await run_cli(monkeypatch, settings, *ADD)).code == 0
    again = await run_cli(monkeypatch, settings, "institutions", "add", "kab-sukamaju",
                          "Inspektorat Lain", "--kind", "kota", "--timezone", "WIB",
                          "--phone", "021-5550198")
    assert again.code == 1
    assert "Kode instansi KAB-SUKAMAJU sudah dipakai" in again.out
    utama = await run_cli(monkeypatch, settings, "institutions", "add", "UTAMA", "Inspektorat",
                          "--kind", "kota", "--timezone", "WIB", "--phone", "021-5550198")
    assert utama.code == 1 and "UTAMA sudah dipakai" in utama.out
    assert await rows(app, "SELECT COUNT(*) FROM institutions") == [(2,)]
    assert await rows(app, "SELECT COUNT(*) FROM audit_log "
                           "WHERE action = 'institution.added'") == [(1,)]


@pytest.mark.parametrize(("change", "complaint"), [
    ({"code": "KAB SUKAMAJU"}, "Kode instansi 'KAB SUKAMAJU' tidak valid"),
    ({"code": "K"}, "tidak valid"),
    ({"code": "X" * 21}, "tidak valid"),
    ({"code": "KAB/../X"}, "tidak valid"),
    ({"name": "N" * 121}, "Nama instansi 3–120 karakter (sekarang 121)"),
    ({"name": "N" * 100_000}, "sekarang 100000"),
    ({"name": "Inspektorat\x1b[31m Merah"}, "karakter kendali"),
    ({"name": "  "}, "Nama instansi 3–120"),
    ({"--kind": "desa"}, "Jenis instansi 'desa' tidak dikenal"),
    ({"--timezone": "Asia/Bandung"}, "Zona waktu 'Asia/Bandung' tidak dikenal"),
    ({"--timezone": "../../etc/passwd"}, "tidak dikenal"),
    ({"--timezone": "GMT+7"}, "tidak dikenal"),
    ({"--phone": "12"}, "Nomor kontak '12' bukan nomor telepon"),
    ({"--email": "bukan-email"}, "E-mail kontak 'bukan-email' tidak valid"),
    ({"--phone": None, "--email": None}, "Sebutkan kontak inspektorat"),
    ({"--whatsapp-sender": "(0411) 555-0198"}, "bukan nomor seluler"),
    ({"--telegram-bot": "inspektorat"}, "Nama bot Telegram 'inspektorat' tidak valid"),
])
async def test_bad_input_is_refused_whole_with_a_polite_reason(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch,
        change: dict[str, str | None], complaint: str) -> None:
    fields: dict[str, str | None] = {
        "code": "KAB-X", "name": "Inspektorat Kabupaten X", "--kind": "kabupaten",
        "--timezone": "Asia/Jakarta", "--phone": "021-5550198", "--email": None,
        "--whatsapp-sender": None, "--telegram-bot": None, **change}
    argv = ["institutions", "add", str(fields.pop("code")), str(fields.pop("name"))]
    for option, value in fields.items():
        if value is not None:
            argv += [option, value]
    result = await run_cli(monkeypatch, settings, *argv)
    assert result.code == 1, result.out
    assert "Instansi tidak ditambahkan" in result.out
    assert complaint in result.out
    assert "Traceback" not in result.out and "\x1b" not in result.out
    assert len(result.out) < 2_000  # a huge name is not echoed back
    assert await rows(app, "SELECT COUNT(*) FROM institutions") == [(1,)]


async def test_every_problem_is_named_at_once(app: App, settings: Settings,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    result = await run_cli(monkeypatch, settings, "institutions", "add", "?", "X",
                           "--kind", "negara", "--timezone", "Mars/Olympus")
    assert result.code == 1
    assert result.out.count("\n  - ") == 5  # code, name, kind, zone, no contact


async def test_the_shared_sender_is_not_an_own_sender(app: App, settings: Settings,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    result = await run_cli(monkeypatch, settings, "institutions", "add", "KAB-X",
                           "Inspektorat X", "--kind", "kabupaten", "--timezone", "WIB",
                           "--phone", "021-5550198", "--whatsapp-sender", "+6281100000000",
                           env={"SPI_TWILIO_WHATSAPP_NUMBER": "+6281100000000"})
    assert result.code == 1 and "milik bersama" in result.out


async def test_show_of_an_unknown_code(app: App, settings: Settings,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    result = await run_cli(monkeypatch, settings, "institutions", "show", "TIDAK-ADA")
    assert result.code == 1
    assert "Instansi 'TIDAK-ADA' tidak dikenal" in result.out


UNITS_CSV = "kode,nama,wilayah,zona_waktu,layanan\n{code},Unit Contoh,Kab. X,WITA,Layanan A\n"
QR_ENV = {"SPI_TWILIO_WHATSAPP_NUMBER": "0811-0000-1111",
          "SPI_TELEGRAM_BOT_USERNAME": "SpiSukamajuBot"}


async def test_units_and_posters_per_institution(app: App, settings: Settings, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert (await run_cli(monkeypatch, settings, *ADD)).code == 0
    ours = tmp_path / "unit.csv"
    ours.write_text(UNITS_CSV.format(code="SKM-RSUD"))
    # two institutions now: the command must be told which one
    unsaid = await run_cli(monkeypatch, settings, "units", "import", str(ours))
    assert unsaid.code == 2
    imported = await run_cli(monkeypatch, settings, "units", "import", str(ours),
                             "--institution", "KAB-SUKAMAJU")
    assert imported.code == 0, imported.out
    assert await rows(app, "SELECT institution_id FROM units WHERE code = 'SKM-RSUD'") == [(2,)]
    listing = await run_cli(monkeypatch, settings, "units", "list", "--institution",
                            "KAB-SUKAMAJU")
    assert "SKM-RSUD" in listing.out and "DISDUKCAPIL" not in listing.out
    # another institution's unit code is refused whole, and stays its owner's
    theirs = tmp_path / "theirs.csv"
    theirs.write_text(UNITS_CSV.format(code="DISDUKCAPIL"))
    refused = await run_cli(monkeypatch, settings, "units", "import", str(theirs),
                            "--institution", "KAB-SUKAMAJU")
    assert refused.code == 1 and "sudah dipakai instansi lain" in refused.out
    assert await rows(app, "SELECT institution_id, name FROM units "
                           "WHERE code = 'DISDUKCAPIL'") == [
        (1, "Dinas Kependudukan dan Pencatatan Sipil")]
    shown = await run_cli(monkeypatch, settings, "institutions", "show", "KAB-SUKAMAJU")
    assert "Unit               : 1" in shown.out
    # posters: only this institution's units, named with the institution
    out = tmp_path / "poster"
    posters = await run_cli(monkeypatch, settings, "qr", "--all", "--institution",
                            "KAB-SUKAMAJU", "--size", "a4", "--out", str(out), env=QR_ENV)
    assert posters.code == 0, posters.out
    assert sorted(p.name for p in out.iterdir()) == ["SKM-RSUD-a4.pdf", "SKM-RSUD-a4.png"]
    assert "unit Inspektorat Kabupaten Sukamaju" in posters.out
    wrong = await run_cli(monkeypatch, settings, "qr", "--unit", "DISDUKCAPIL",
                          "--institution", "KAB-SUKAMAJU", "--out", str(out), env=QR_ENV)
    assert wrong.code == 1 and "bukan milik instansi KAB-SUKAMAJU" in wrong.out
    missing = await run_cli(monkeypatch, settings, "qr", "--all", "--institution", "NOPE",
                            "--out", str(out), env=QR_ENV)
    assert missing.code == 2
