"""Conversations route by institution (issue 15): the scanned unit decides whose notice,
controller and contact a citizen gets; a citizen registered with two institutions sees and
deletes each apart; forged or unknown codes reach nothing of anyone else. Through the engine,
as a channel drives it, on both backends."""

from __future__ import annotations

import pytest

from bot.app import App, sync_institution_one
from core.messages import Channel, SharedContact
from core.scope import Scope
from tests.support.clock import FakeClock
from tests.support.dialog import User, register

pytestmark = pytest.mark.both_backends

BETA = "Inspektorat Kabupaten Beta"
BETA_PHONE = "(0421) 555-0123"
BETA_EMAIL = "inspektorat@betakab.example"
SUKAMAJU = "Inspektorat Kabupaten Sukamaju"  # the settings' default: institution 1
SITI_WA = "+6281234567890"


async def add_beta(app: App) -> int:
    """Institution B with one unit, UB1, as `institutions add` and `units import` leave it."""
    async with app.db.transaction() as conn:
        cur = await conn.execute(
            "INSERT INTO institutions (code, name, kind, timezone, contact_phone, contact_email, "
            "created_at, updated_at) VALUES ('KAB-BETA', ?, 'kabupaten', 'Asia/Makassar', ?, ?, "
            "'t', 't') RETURNING id", (BETA, BETA_PHONE, BETA_EMAIL))
        beta = int((await cur.fetchone())[0])
        await conn.execute(
            "INSERT INTO units (code, name, region, timezone, services, created_at, updated_at, "
            "institution_id) VALUES ('UB1', 'Puskesmas Beta', 'Beta', 'Asia/Makassar', "
            "'[\"Pemeriksaan umum\"]', 't', 't', ?)", (beta,))
    return beta


async def rows(app: App, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    async with app.db.reading() as conn:
        return [tuple(r) for r in await conn.execute_fetchall(sql, params)]


async def test_institution_one_follows_the_settings_with_no_extra_step(
        app: App, clock: FakeClock) -> None:
    assert await rows(app, "SELECT name, contact_phone, contact_email FROM institutions "
                           "WHERE id = 1") == [(SUKAMAJU, "(0411) 555-0198",
                                                "inspektorat@sukamajukab.example")]
    changed = app.settings.model_copy(update={"inspectorate_name": "Inspektorat Kota Baru",
                                              "inspectorate_email": "",
                                              "inspectorate_timezone": "WITA"})
    await sync_institution_one(app.db, changed, clock)
    assert await rows(app, "SELECT name, contact_email, timezone FROM institutions "
                           "WHERE id = 1") == [("Inspektorat Kota Baru",
                                                "inspektorat@sukamajukab.example",
                                                "Asia/Makassar")]  # an empty setting: unchanged
    user = User(app.engine, Channel.TELEGRAM, "5001")
    await user.say("/start DISDUKCAPIL", start="DISDUKCAPIL")
    assert SUKAMAJU in user.text and "(0411) 555-0198" in user.text  # one institution: as ever
    assert await rows(app, "SELECT COUNT(*) FROM sessions WHERE data LIKE '%institution\":%'"
                      " AND state = 'idle'") == [(0,)]


async def test_a_scanned_unit_gives_its_institutions_notice_contact_and_fallbacks(
        app: App) -> None:
    await add_beta(app)
    user = User(app.engine, Channel.TELEGRAM, "5002")
    await user.say("/start UB1", start="UB1")
    assert "Puskesmas Beta" in user.text
    assert f"Pengelola data: {BETA}, {BETA_PHONE}, {BETA_EMAIL}" in user.text
    assert SUKAMAJU not in user.text
    await user.say("INFO")
    assert f"Pengendali data (yang bertanggung jawab atas data Anda): {BETA}" in user.text
    await user.say("2")  # refuses consent: the conversation still speaks for Beta
    assert "tidak ada data Anda yang disimpan" in user.text
    await user.say("xq")
    assert f"PETUGAS untuk kontak {BETA}" in user.text
    await user.say("nomor telepon inspektorat untuk bertanya apa?")
    assert SUKAMAJU not in user.text
    # Without a QR and with no registration, a chat speaks for institution 1.
    other = User(app.engine, Channel.TELEGRAM, "5003")
    await other.say("xq")
    assert SUKAMAJU in other.text


async def test_registered_with_two_institutions_sees_and_deletes_each_apart(app: App) -> None:
    beta = await add_beta(app)
    siti = User(app.engine, Channel.WHATSAPP, SITI_WA, SITI_WA)
    await register(siti)  # institution 1, DISDUKCAPIL
    await register(siti, "UB1", name="Siti Aminah Beta", email="siti@beta.id")
    assert "Puskesmas Beta" in siti.text and "Terima kasih" in siti.text
    people = await rows(app, "SELECT institution_id, name, unit_code, status FROM respondents "
                             "ORDER BY institution_id")
    assert people == [(1, "Siti Aminah", "DISDUKCAPIL", "verified"),
                      (beta, "Siti Aminah Beta", "UB1", "verified")]  # the first untouched

    await siti.say("DATA SAYA")
    assert len(siti.last) == 2
    first, second = (r.text for r in siti.last)
    assert first.startswith(f"Data tentang Anda yang disimpan {SUKAMAJU}:")
    assert "Siti Aminah" in first and "siti@beta.id" not in first
    assert second.startswith(f"Data tentang Anda yang disimpan {BETA}:")
    assert "siti@beta.id" in second and BETA_PHONE in second

    await siti.say("HAPUS DATA")
    assert "2 instansi" in siti.text
    assert siti.choices == ["delete:1", f"delete:{beta}", "delete:all", "delete:no"]
    await siti.say("2")  # Beta only
    assert f"dihapus dari daftar calon responden {BETA}" in siti.text
    assert "dipegang KPK" in siti.text and f"{BETA}, {BETA_PHONE}" in siti.text
    assert await rows(app, "SELECT institution_id, name, status FROM respondents "
                           "ORDER BY institution_id") == [(1, "Siti Aminah", "verified"),
                                                          (beta, None, "erased")]
    await siti.say("DATA SAYA")
    assert len(siti.last) == 1 and SUKAMAJU in siti.text and BETA not in siti.text
    await siti.say("HAPUS DATA")  # one institution left: the plain yes/no, naming it
    assert f"daftar calon responden {SUKAMAJU}?" in siti.text
    await siti.say("1")
    assert await rows(app, "SELECT COUNT(*) FROM respondents WHERE status != 'erased'") == [(0,)]


async def test_delete_all_and_stop_reach_every_institution_of_the_chat(app: App) -> None:
    beta = await add_beta(app)
    siti = User(app.engine, Channel.WHATSAPP, SITI_WA, SITI_WA)
    await register(siti)
    await register(siti, "UB1")
    await siti.say("STOP")
    assert await rows(app, "SELECT COUNT(*) FROM respondents WHERE opted_out_at IS NULL") \
        == [(0,)]
    await siti.say("HAPUS DATA")
    await siti.say("semua")
    assert f"{SUKAMAJU}; {BETA}" in siti.text and "dipegang KPK" in siti.text
    assert await rows(app, "SELECT institution_id, status FROM respondents ORDER BY 1") \
        == [(1, "erased"), (beta, "erased")]


async def test_a_forged_code_of_another_institution_only_starts_its_own_registration(
        app: App) -> None:
    beta = await add_beta(app)
    budi = User(app.engine, Channel.WHATSAPP, "+6281399990000", "+6281399990000")
    await register(budi, "UB1", name="Budi Santoso", email="budi@beta.id")
    siti = User(app.engine, Channel.TELEGRAM, "6001")
    await register(siti)  # institution 1 on Telegram
    # Another institution's unit in a forged /start payload and as WhatsApp text.
    await siti.say("/start UB1", start="UB1")
    assert BETA in siti.text and "sudah terdaftar" not in siti.text
    assert "Budi" not in siti.text and "budi@beta.id" not in siti.text
    await siti.say("BATAL")
    typed = User(app.engine, Channel.WHATSAPP, "+6281211112222", "+6281211112222")
    await typed.say("DAFTAR UB1")
    assert BETA in typed.text and "Budi" not in typed.text
    await typed.say("BATAL")
    # Siti's own view and deletion never reach Budi, whatever institution she talks to.
    await siti.say("DATA SAYA")  # a verified record on Telegram: her own contact first
    await siti.say(contact=SharedContact("081234567890", is_own=True))
    assert "Budi" not in siti.text and "Siti Aminah" in siti.text
    await siti.say("HAPUS DATA")
    await siti.say("1")
    assert await rows(app, "SELECT institution_id, name, status FROM respondents "
                           "ORDER BY institution_id") == [(1, None, "erased"),
                                                          (beta, "Budi Santoso", "verified")]
    # Budi's record in B is as he left it.
    async with app.db.reading() as conn:
        found = await app.deps.respondents.get_by_phone(conn, Scope(beta), "+6281399990000")
    assert found is not None and found.name == "Budi Santoso"


@pytest.mark.parametrize("payload", ["ZZZ999", "../../etc", "UB1'; DROP TABLE units; --",
                                     "x" * 300, "\u202eUB1"])
async def test_unknown_or_malformed_codes_get_a_polite_reply_and_change_nothing(
        app: App, payload: str) -> None:
    await add_beta(app)
    before = await rows(app, "SELECT COUNT(*) FROM respondents")
    user = User(app.engine, Channel.TELEGRAM, "7001")
    await user.say(f"/start {payload}", start=payload)
    assert "tidak kami kenal" in user.text and "Traceback" not in user.text
    assert "\u202e" not in user.text and len(user.text) < 2000
    wa = User(app.engine, Channel.WHATSAPP, "+6281255556666", "+6281255556666")
    await wa.say(f"DAFTAR {payload}")
    assert wa.text and "Traceback" not in wa.text
    assert await rows(app, "SELECT COUNT(*) FROM respondents") == before
