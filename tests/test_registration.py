"""Registration dialogs through the engine's front door."""

from __future__ import annotations

import pytest

from bot.app import App
from core.messages import Channel, SharedContact
from core.scope import DEFAULT_SCOPE
from tests.support.clock import FakeClock
from tests.support.dialog import User, register

pytestmark = pytest.mark.both_backends


async def count(app: App, sql: str, *args: object) -> int:
    async with app.db.reading() as conn, conn.execute(sql, args) as cur:
        row = await cur.fetchone()
    return int(row[0])


async def respondents(app: App) -> int:
    return await count(app, "SELECT COUNT(*) FROM respondents WHERE status != 'erased'")


async def start(user: User, unit: str = "DISDUKCAPIL") -> None:
    await user.say(f"/start {unit}", start=unit)
    await user.say("1")


async def test_happy_path_on_telegram_stores_one_verified_respondent(app: App) -> None:
    user = User(app.engine)
    await register(user)
    assert "Anda terdaftar sebagai calon responden" in user.text
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281234567890")
    assert respondent is not None
    assert respondent.status == "verified"
    assert respondent.name == "Siti Aminah"
    assert respondent.unit_code == "DISDUKCAPIL"
    assert respondent.service == "KTP elektronik"
    assert respondent.service_month == "2026-10"
    assert respondent.email == "siti@contoh.id"
    assert respondent.consent_version == app.settings.consent_version
    assert respondent.consent_at is not None
    assert await count(app, "SELECT COUNT(*) FROM sessions") == 0
    assert await count(app, "SELECT COUNT(*) FROM audit_log WHERE action = "
                            "'respondent.registered'") == 1


async def test_whatsapp_sender_number_is_confirmed_not_asked(app: App) -> None:
    user = User(app.engine, Channel.WHATSAPP, "+6281311112222", "+6281311112222")
    await register(user)
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281311112222")
    assert respondent is not None and respondent.status == "verified"


async def test_typed_number_stays_registered_until_proven(app: App) -> None:
    user = User(app.engine, Channel.WEB, "web-1")
    await register(user, phone="0813 9999 0000")
    assert "belum dipastikan milik Anda" in user.text
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281399990000")
    assert respondent is not None and respondent.status == "registered"


async def test_refused_consent_stores_nothing(app: App) -> None:
    user = User(app.engine)
    await user.say("/start RSUD", start="RSUD")
    await user.say("2")
    assert "tidak ada data Anda yang disimpan" in user.text
    assert await respondents(app) == 0
    assert await count(app, "SELECT COUNT(*) FROM sessions") == 0


async def test_every_invalid_answer_reprompts_and_changes_nothing(app: App) -> None:
    user = User(app.engine)
    await user.say("/start BAPENDA", start="BAPENDA")
    await user.say("mungkin")
    assert "Pilih salah satu" in user.text
    await user.say("ya")
    for bad in ("12345", "B", "Budi 2"):
        await user.say(bad)
        assert "Nama harus" in user.text
    await user.say("Budi Santoso")
    await user.say("7")  # not one of the two types
    assert "Pilih salah satu" in user.text
    await user.say("2")
    await user.say("99")  # not a service
    assert "Pilih salah satu" in user.text
    await user.say("Pajak reklame")  # answered by label
    for bad, expected in (("kemarin lusa entah", "tidak bisa membaca"),
                          ("Desember 2026", "belum terjadi"),
                          ("Januari 2025", "12 bulan terakhir")):
        await user.say(bad)
        assert expected in user.text
    await user.say("2026-11")
    await user.say("12345")
    assert "bukan nomor HP Indonesia" in user.text
    await user.say("021 555 1234")  # a landline cannot get WhatsApp
    assert "bukan nomor HP Indonesia" in user.text
    await user.say(contact=SharedContact("+6281200000001", is_own=False))
    assert "bukan milik akun Anda" in user.text
    await user.say("+62 812-0000-0002")
    await user.say("budi@")
    assert "bukan alamat e-mail" in user.text
    await user.say("LEWATI")
    await user.say("mungkin")
    assert "Pilih salah satu" in user.text
    await user.say("tidak")
    assert "Pelaku usaha" in user.text and "Pajak reklame" in user.text
    assert await respondents(app) == 0  # nothing stored before confirmation
    await user.say("Benar, simpan")
    assert await respondents(app) == 1


async def test_summary_lets_the_user_fix_a_field(app: App) -> None:
    user = User(app.engine)
    await start(user)
    for answer in ("Siti Aminah", "1", "1", "bulan ini"):
        await user.say(answer)
    await user.say(contact=SharedContact("6281234567890", is_own=True))
    await user.say("lewati")
    await user.say("ya")  # reminders
    await user.say("2")  # change name
    assert "nama lengkap" in user.text
    await user.say("Siti Aminah Lubis")
    assert "Siti Aminah Lubis" in user.text and "Sudah benar?" in user.text
    await user.say("1")
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281234567890")
    assert respondent is not None and respondent.name == "Siti Aminah Lubis"
    assert respondent.email is None


async def test_cancel_midway_stores_nothing(app: App) -> None:
    user = User(app.engine)
    await start(user)
    await user.say("Siti")
    await user.say("BATAL")
    assert "Dibatalkan" in user.text
    await user.say("batal")
    assert "Tidak ada proses" in user.text
    assert await respondents(app) == 0


async def test_registering_again_updates_the_same_respondent(app: App) -> None:
    whatsapp = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await register(whatsapp, "DISDUKCAPIL")
    await register(whatsapp, "DISHUB", name="Siti A. Lubis")
    assert "diperbarui" in whatsapp.text
    telegram = User(app.engine, Channel.TELEGRAM, "777")
    await register(telegram, "RSUD", phone="0812-3456-7890")
    assert await respondents(app) == 1
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281234567890")
        assert respondent is not None and respondent.id is not None
        assert respondent.unit_code == "RSUD"
        identities = await app.deps.identities.list_for_respondent(conn, respondent.id)
    assert {(i.channel, i.address) for i in identities} == {
        ("whatsapp", "+6281234567890"), ("telegram", "777")}


async def test_reregistration_is_announced_at_the_start(app: App) -> None:
    user = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await register(user)
    await user.say("DAFTAR DISHUB")
    assert "sudah terdaftar" in user.text and "diperbarui, bukan digandakan" in user.text




async def test_entry_by_whatsapp_prefill_typed_code_and_menu(app: App) -> None:
    user = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await user.say("DAFTAR dpmptsp")
    assert "Dinas Penanaman Modal" in user.text and "setuju" in user.text
    await user.say("batal")
    await user.say("rsud")
    assert "RSUD Sukamaju" in user.text
    await user.say("batal")
    await user.say("DAFTAR NGAWUR")
    assert "tidak kami kenal" in user.text
    await user.say("RSUD")
    assert "RSUD Sukamaju" in user.text
    await user.say("menu")
    await user.say("1")
    assert "unit layanan" in user.text
    assert len(user.choices) == 7


async def test_idle_session_expires_with_a_polite_note(app: App, clock: FakeClock) -> None:
    user = User(app.engine)
    await start(user)
    await user.say("Siti Aminah")
    clock.advance(minutes=31)
    await user.say("1")
    assert "berakhir karena tidak ada balasan selama 30 menit" in user.text
    assert await respondents(app) == 0


async def test_stop_and_delete(app: App) -> None:
    user = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await user.say("STOP")
    assert "tidak terdaftar" in user.text
    await register(user)
    await user.say("berhenti")
    async with app.db.reading() as conn:
        respondent = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281234567890")
    assert respondent is not None and respondent.opted_out_at is not None
    await user.say("HAPUS DATA")
    await user.say("tidak")
    assert "tidak dihapus" in user.text
    await user.say("hapus data")
    await user.say("1")
    assert "sudah dihapus" in user.text
    assert await respondents(app) == 0
    for table, column in (("respondents", "phone"), ("channel_identities", "address"),
                          ("sessions", "address")):
        assert await count(app, f"SELECT COUNT(*) FROM {table} WHERE {column} = ?",  # noqa: S608
                           "+6281234567890") == 0
    assert await count(app, "SELECT COUNT(*) FROM respondents WHERE name IS NOT NULL") == 0
    await user.say("HAPUS DATA")
    assert "Tidak ada data pribadi" in user.text


async def test_language_switch(app: App) -> None:
    user = User(app.engine)
    await user.say("BAHASA EN")
    assert "English" in user.text
    await user.say("halo")
    assert "What do you need?" in user.text
    await user.say("language id")
    await user.say("menu")
    assert "Pilih yang Anda perlukan" in user.text


async def test_no_text_asks_about_receiving_the_survey_or_answers(app: App) -> None:
    # Questions the bot must never ask (statements about confidentiality are fine).
    forbidden = ("apakah anda sudah menerima", "sudah dapat wa dari kpk?", "apa jawaban anda?",
                 "kirimkan jawaban", "have you received the survey?", "what did you answer?",
                 "laporkan jika anda menerima", "send us your answers")
    for lang in ("id", "en"):
        for key, template in app.deps.catalog._texts[lang].items():
            assert not any(f in template.casefold() for f in forbidden), key
