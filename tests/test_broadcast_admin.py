"""Admin chat commands: only staff in SPI_ADMINS, every action audited without personal data."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import handlers.admin_broadcast
import outreach.service
from bot.app import App, open_app
from core.messages import Channel
from core.settings import load_settings
from outreach.integrity import check_broadcast
from tests.support.clock import FakeClock
from tests.support.dialog import User
from tests.support.outreach import add_person, rows

pytestmark = pytest.mark.both_backends

ADMIN_PHONE = "+6281311112222"


@pytest.fixture
async def staff_app(tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                             admins=f"telegram:900,whatsapp:{ADMIN_PHONE}")
    async with open_app(settings, clock) as opened:
        yield opened


async def test_non_admins_are_refused_politely(staff_app: App) -> None:
    citizen = User(staff_app.engine, Channel.TELEGRAM, "123")
    await citizen.say("/siaran buat")
    assert "khusus untuk petugas" in citizen.text
    await citizen.say("halo")
    assert "Pilih yang Anda perlukan" in citizen.text  # not stuck in any admin dialog
    assert await rows(staff_app, "SELECT actor, action FROM audit_log") == [
        ("telegram:non-admin", "admin.refused")]
    assert await rows(staff_app, "SELECT COUNT(*) FROM broadcasts") == [(0,)]


async def test_admin_creates_a_broadcast_in_chat(staff_app: App) -> None:
    await add_person(staff_app, "Siti", address="1")
    await add_person(staff_app, "Budi", address="2")
    admin = User(staff_app.engine, Channel.TELEGRAM, "900")
    await admin.say("/siaran buat")
    assert "Pilih teks dari katalog" in admin.text
    await admin.say("Halo {nama}, survei SPI resmi hanya dari spi.kpk.go.id")
    assert admin.choices == ["bcast:all", "bcast:unit", "bcast:telegram"]
    await admin.say("2")
    await admin.say("XYZ")
    assert "tidak ditemukan" in admin.text
    await admin.say("disdukcapil")
    await admin.say("2")
    await admin.say("2026-11-25 09:00")
    assert "Tulis tanggal" in admin.text
    await admin.say("2026-11-25 09:00 WITA")
    assert "Penerima: 2 (telegram 2)" in admin.text
    assert "Halo Siti, survei SPI resmi" in admin.text
    await admin.say("1")
    assert "Siaran 1 dibuat. Jadwal: 2026-11-25 09:00 WITA." in admin.text
    [(created_by, audience, run_at)] = await rows(
        staff_app, "SELECT created_by, audience, run_at FROM broadcasts")
    assert created_by == "telegram:900"
    assert audience == '{"units": ["DISDUKCAPIL"]}'
    assert run_at == "2026-11-25T01:00:00+00:00"


async def test_chat_refusal_explains_and_creates_nothing(staff_app: App) -> None:
    await add_person(staff_app, "Siti", address="1")
    admin = User(staff_app.engine, Channel.TELEGRAM, "900")
    await admin.say("/siaran buat")
    await admin.say("Apakah Anda sudah menerima survei SPI? Balas YA.")
    assert "Teks ditolak" in admin.text
    assert "Teks katalog terdekat (rahasia)" in admin.text
    assert admin.choices[0] == "bcast:cat:sukarela"  # asked again, catalogue first
    assert await rows(staff_app, "SELECT COUNT(*) FROM broadcasts") == [(0,)]


async def test_whatsapp_admin_controls_a_broadcast_and_is_audited_without_phone(
    staff_app: App, clock: FakeClock
) -> None:
    await add_person(staff_app, "Siti", address="1")
    tg_admin = User(staff_app.engine, Channel.TELEGRAM, "900")
    await tg_admin.say("/siaran buat")
    await tg_admin.say("Pengingat SPI untuk {nama}")
    await tg_admin.say("1")
    await tg_admin.say("1")
    await tg_admin.say("ya")
    assert "Siaran 1 dibuat" in tg_admin.text
    wa_admin = User(staff_app.engine, Channel.WHATSAPP, ADMIN_PHONE, sender_phone=ADMIN_PHONE)
    await wa_admin.say("/siaran jeda 1")
    assert "Siaran 1 dijeda" in wa_admin.text
    await wa_admin.say("/siaran jeda 1")
    assert "tidak bisa dijeda" in wa_admin.text
    await wa_admin.say("/siaran lanjut 1")
    assert "dilanjutkan" in wa_admin.text
    await wa_admin.say("/siaran lihat 1")
    assert "Siaran #1 [aktif]" in wa_admin.text
    await wa_admin.say("/siaran daftar")
    assert "#1 [aktif] segera" in wa_admin.text
    await wa_admin.say("/siaran batal 1")
    assert "Siaran 1 dibatalkan" in wa_admin.text
    await wa_admin.say("/siaran lihat 99")
    assert "tidak ditemukan" in wa_admin.text
    await wa_admin.say("/siaran jeda")
    assert "Tulis nomor siarannya" in wa_admin.text
    audit = await rows(staff_app, "SELECT actor, action, subject, detail FROM audit_log "
                                  "WHERE action LIKE 'broadcast.%' ORDER BY id")
    assert [(a, b) for a, b, _, _ in audit] == [
        ("telegram:900", "broadcast.created"), ("whatsapp:admin2", "broadcast.paused"),
        ("whatsapp:admin2", "broadcast.resumed"), ("whatsapp:admin2", "broadcast.viewed"),
        ("whatsapp:admin2", "broadcast.listed"), ("whatsapp:admin2", "broadcast.cancelled")]
    everything = str(await rows(staff_app, "SELECT * FROM audit_log"))
    assert ADMIN_PHONE not in everything and "Siti" not in everything


async def test_the_integrity_check_runs_off_the_event_loop(
    staff_app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check's model second opinion (~35 ms a text, ~1 s to load) must not stall the loop
    that answers everyone else: in chat and at preview/creation it runs on a worker thread."""
    loop_thread = threading.current_thread()
    seen: list[bool] = []

    def recording(*args: object, **kwargs: object) -> object:
        seen.append(threading.current_thread() is loop_thread)
        return check_broadcast(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(handlers.admin_broadcast, "check_broadcast", recording)
    monkeypatch.setattr(outreach.service, "check_broadcast", recording)
    await add_person(staff_app, "Siti", address="1")
    admin = User(staff_app.engine, Channel.TELEGRAM, "900")
    await admin.say("/siaran buat")
    await admin.say("Halo {nama}, survei SPI resmi hanya dari spi.kpk.go.id")
    await admin.say("1")  # everyone
    await admin.say("1")  # now
    assert "Pratinjau siaran" in admin.text
    await admin.say("1")
    assert "dibuat" in admin.text
    assert len(seen) >= 3  # chat text, preview, creation
    assert not any(seen)
