"""`spi-bot stats` and the admin chat command on a known data set."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image

from bot.app import App, open_app
from core.messages import Channel
from core.scope import DEFAULT_SCOPE
from core.settings import Settings, load_settings
from storage.repositories.faq_check_stats import CheckStatsRepository, FaqStatsRepository
from storage.repositories.outbound import OutboundMessageRepository
from tests.support.broadcasts import add_broadcast
from tests.support.cli import run_cli
from tests.support.clock import FakeClock
from tests.support.dialog import User, register

pytestmark = pytest.mark.both_backends

ADMINS = "telegram:9001,whatsapp:081299998888"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(_env_file=None, database_path=tmp_path / "bot.db", admins=ADMINS)


@pytest.fixture
async def app(settings: Settings, clock: FakeClock) -> AsyncIterator[App]:
    async with open_app(settings, clock) as opened:
        yield opened


async def known_data(app: App, clock: FakeClock, tmp_path: Path, settings: Settings,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    """21 Nov (WITA): 2 verified via bot; 22 Nov: 1 typed number (pending), then 1 STOP and
    1 HAPUS DATA; plus 2 imported rows."""
    await register(User(app.engine, Channel.TELEGRAM, "5001"), "DISDUKCAPIL")
    await register(User(app.engine, Channel.WHATSAPP, "+6281311112222", "+6281311112222"),
                   "RSUD", name="Rudi Hartono", email="rudi@contoh.id")
    clock.advance(days=1)
    typed = User(app.engine, Channel.CONSOLE, "c-1")
    await register(typed, "DISDUKCAPIL", name="Tono Prasetyo", phone="081377778888",
                   email="tono@contoh.id")
    rudi = User(app.engine, Channel.WHATSAPP, "+6281311112222", "+6281311112222")
    await rudi.say("STOP")
    siti = User(app.engine, Channel.TELEGRAM, "5001")
    await siti.say("HAPUS DATA")
    await siti.say("1")
    async with app.db.transaction() as conn:  # anonymous counts, as the FAQ and checker keep
        faq, checks = FaqStatsRepository(), CheckStatsRepository()
        for intent in ("is_official", "is_official", "duration", None):
            await faq.count_answer(conn, clock.now(), intent)
        for verdict in ("official", "suspicious", "suspicious", "manipulation"):
            await checks.count_check(conn, clock.now(), verdict)
    async with app.db.reading() as conn:
        rudi = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281311112222")
        tono = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281377778888")
    assert rudi is not None and rudi.id is not None and tono is not None and tono.id is not None
    first = await add_broadcast(app, [(rudi.id, "whatsapp", "+6281311112222", "sent", "SM1"),
                                      (tono.id, "whatsapp", "+6281377778888", "failed", None)])
    await add_broadcast(app, [(rudi.id, "whatsapp", "+6281311112222", "skipped", None)],
                        state="active")
    async with app.db.transaction() as conn:  # Twilio's status callback for the first message
        await OutboundMessageRepository().record_status(conn, "SM1", "delivered",
                                                        channel="whatsapp", now=clock.now())
    assert first == 1
    source = tmp_path / "daftar.csv"
    source.write_text("nama,hp,unit,kategori\n"
                      "Ani Wijaya,081355556666,DISDUKCAPIL,internal\n"
                      "Prof. Bambang,081366667777,RSUD,eksper\n")
    result = await run_cli(monkeypatch, settings, "respondents", "import", str(source))
    assert result.code == 0, result.out


async def test_stats_table_csv_and_chart_on_a_known_data_set(
        app: App, clock: FakeClock, settings: Settings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    await known_data(app, clock, tmp_path, settings, monkeypatch)
    result = await run_cli(monkeypatch, settings, "stats", "--csv", str(tmp_path / "s.csv"),
                           "--chart", str(tmp_path / "s.png"))
    assert result.code == 0, result.out
    lines = [" ".join(line.split()) for line in result.out.splitlines()]
    assert "Dinas Kependudukan dan Pencatatan Sipil 1 2 0 2 1 3" in lines
    assert "RSUD Sukamaju 0 1 1 1 1 2" in lines
    assert "Dinas Perhubungan 0 0 0 0 0 0" in lines
    assert "2026-11-21 Dinas Kependudukan dan Pencatatan Sipil 1" in lines
    assert "2026-11-21 RSUD Sukamaju 1" in lines
    assert "2026-11-22 Dinas Kependudukan dan Pencatatan Sipil 1" in lines
    assert "Nomor terverifikasi 1" in lines  # Rudi; Siti's record is erased
    assert "Menunggu verifikasi (termasuk impor) 3" in lines
    assert "Berhenti menerima pesan (STOP) 1" in lines
    assert "Data dihapus (HAPUS DATA, petugas, retensi) 1" in lines
    faq_at = lines.index("Pertanyaan FAQ per topik")
    assert lines[faq_at + 3:faq_at + 6] == ["is_official 2", "(tidak terjawab) 1", "duration 1"]
    check_at = lines.index("Cek keaslian per hasil")
    assert lines[check_at + 3:check_at + 7] == [
        "Resmi 1", "Mencurigakan 2", "Melanggar aturan SPI 1", "Tidak dapat dipastikan 0"]
    broadcasts_at = lines.index("Siaran pengingat dan hasil pengirimannya")
    assert lines[broadcasts_at + 3:broadcasts_at + 5] == [
        "#1 selesai 1 1 1 1 0 0", "#2 aktif 1 0 0 0 1 0"]
    with (tmp_path / "s.csv").open(encoding="utf-8-sig", newline="") as f:
        table = list(csv.reader(f))
    assert ["bagian", "Status", "Jumlah"] in table
    assert ["Status calon responden", "Data dihapus (HAPUS DATA, petugas, retensi)", "1"] in table
    assert ["Pendaftaran lewat bot per hari", "2026-11-22",
            "Dinas Kependudukan dan Pencatatan Sipil", "1"] in table
    with Image.open(tmp_path / "s.png") as chart:
        assert chart.format == "PNG" and chart.width >= 800


async def test_admin_gets_summary_and_chart_in_chat_others_are_refused(
        app: App, clock: FakeClock, settings: Settings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    await known_data(app, clock, tmp_path, settings, monkeypatch)
    stranger = User(app.engine, Channel.TELEGRAM, "5002")
    await stranger.say("/stats")
    assert "khusus untuk petugas" in stranger.text
    assert all(r.image is None for r in stranger.last)
    admin = User(app.engine, Channel.WHATSAPP, "+6281299998888", "+6281299998888")
    replies = await admin.say("STATISTIK")
    assert len(replies) == 1
    text = replies[0].text
    assert "Calon responden: 5 (3 lewat bot, 2 impor)" in text
    assert "• Nomor terverifikasi: 1" in text and "• Data dihapus: 1" in text
    assert "• Dinas Kependudukan dan Pencatatan Sipil: 2" in text
    assert "Pertanyaan FAQ: 3 terjawab, 1 belum terjawab" in text
    assert ("Cek keaslian: 1 resmi, 2 mencurigakan, 1 melanggar aturan SPI, "
            "0 tidak dapat dipastikan") in text
    assert "Siaran pengingat: 2 siaran, 1 pesan terkirim (1 diterima), 1 gagal" in text
    image = replies[0].image
    assert image is not None
    with Image.open(io.BytesIO(image.png)) as chart:
        assert chart.format == "PNG"
    telegram_admin = User(app.engine, Channel.TELEGRAM, "9001")
    assert (await telegram_admin.say("/stats"))[0].image is not None
    async with app.db.reading() as conn:
        viewed = [(e.actor, e.at) for e in await app.deps.audit.recent(conn)
                  if e.action == "admin.stats_viewed"]
    assert [actor for actor, _at in viewed] == ["telegram:9001", "whatsapp:admin2"]
    assert viewed[0][1] == clock.now()
