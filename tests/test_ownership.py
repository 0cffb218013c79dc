"""Ownership of a number is proven, not assumed: takeover attempts through the engine's door."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import App
from core.messages import Channel, SharedContact
from core.scope import DEFAULT_SCOPE
from storage.migrate import known_migrations, migrate
from storage.repositories.respondents import Respondent
from storage.sqlite import SqliteDatabase as Database
from tests.support.dialog import User, register
from tests.support.outreach import request

pytestmark = pytest.mark.both_backends

OWNER = "+6281234567890"
TYPED = "0812 3456 7890"
UNPROVEN_LINKS = 8  # the migration removing web links to verified records


async def record(app: App, phone: str = OWNER) -> Respondent | None:
    async with app.db.reading() as conn:
        return await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, phone)


async def links(app: App) -> set[tuple[str, str]]:
    async with app.db.reading() as conn, conn.execute(
            "SELECT channel, address FROM channel_identities") as cur:
        return {(row[0], row[1]) for row in await cur.fetchall()}


async def up_to_summary(user: User, name: str, phone: str) -> None:
    await user.say("/start DISDUKCAPIL", start="DISDUKCAPIL")
    for answer in ("1", name, "1", "1", "bulan lalu", phone, "lewati", "1"):
        await user.say(answer)
    assert "Sudah benar?" in user.text


def owner_on_whatsapp(app: App) -> User:
    return User(app.engine, Channel.WHATSAPP, OWNER, OWNER)


async def test_a_chat_linked_before_verification_loses_the_record_to_its_owner(
        app: App) -> None:
    stranger = User(app.engine, Channel.WEB, "web-9")
    await register(stranger, name="Orang Lain", phone=TYPED)  # still free: accepted, unverified
    assert (await record(app)) is not None
    owner = owner_on_whatsapp(app)
    await register(owner, name="Siti Aminah")
    mine = await record(app)
    assert mine is not None and mine.status == "verified" and mine.name == "Siti Aminah"
    assert await links(app) == {("whatsapp", OWNER)}

    await stranger.say("halo")  # told once, politely, then the menu as usual
    assert "tidak lagi terhubung" in stranger.text and "Pilih yang Anda perlukan" in stranger.text
    await stranger.say("halo")
    assert "tidak lagi terhubung" not in stranger.text
    await stranger.say("STOP")
    assert "tidak terdaftar" in stranger.text
    await stranger.say("HAPUS DATA")
    assert "Tidak ada data pribadi" in stranger.text
    await register(stranger, name="Orang Lain", phone=TYPED, email="lain@contoh.id")
    assert "belum dipastikan milik Anda" in stranger.text
    after = await record(app)
    assert after == mine  # not renamed, not opted out, not erased, still verified
    assert await links(app) == {("whatsapp", OWNER)}


async def test_the_race_from_a_free_number_at_the_summary_cannot_win(app: App) -> None:
    for channel, sender in ((Channel.WEB, "web-7"), (Channel.TELEGRAM, "4242")):
        stranger = User(app.engine, channel, sender)
        await up_to_summary(stranger, "Orang Lain", TYPED)
    owner = owner_on_whatsapp(app)
    await register(owner, name="Siti Aminah")
    mine = await record(app)
    for sender in ("web-7", "4242"):
        stranger = User(app.engine, Channel.WEB if sender == "web-7" else Channel.TELEGRAM,
                        sender)
        await stranger.say("1")  # confirm, after the owner verified meanwhile
        assert "belum dipastikan milik Anda" in stranger.text
    assert await record(app) == mine
    assert mine is not None and mine.status == "verified" and mine.name == "Siti Aminah"
    assert await links(app) == {("whatsapp", OWNER)}
    async with app.db.reading() as conn:
        assert await app.deps.respondents.count(conn, DEFAULT_SCOPE) == 1


async def test_a_registered_number_is_answered_like_a_free_one(app: App) -> None:
    await register(owner_on_whatsapp(app), name="Siti Aminah")
    replies = []
    for sender, phone in (("web-1", TYPED), ("web-2", "0813 5555 6666")):
        user = User(app.engine, Channel.WEB, sender)
        seen = []
        await user.say("/start DISDUKCAPIL", start="DISDUKCAPIL")
        for answer in ("1", "Orang Lain", "1", "1", "bulan lalu", phone, "lewati", "1", "1"):
            await user.say(answer)
            seen.append(user.text.replace("+6281234567890", "N").replace("+6281355556666", "N"))
        replies.append(seen)
    assert replies[0] == replies[1]
    mine = await record(app)
    assert mine is not None and mine.name == "Siti Aminah"


async def test_an_own_telegram_contact_proves_the_number_and_a_foreign_one_does_not(
        app: App) -> None:
    await register(owner_on_whatsapp(app), name="Siti Aminah")
    impostor = User(app.engine, Channel.TELEGRAM, "5150")
    await up_to_summary(impostor, "Orang Lain", TYPED)
    await impostor.say("1")
    owner_telegram = User(app.engine, Channel.TELEGRAM, "777")
    await register(owner_telegram, name="Siti Aminah Lubis", phone=OWNER)  # own contact
    assert "diperbarui" in owner_telegram.text
    mine = await record(app)
    assert mine is not None and mine.name == "Siti Aminah Lubis" and mine.status == "verified"
    # Both of the owner's proven chats keep their link.
    assert await links(app) == {("whatsapp", OWNER), ("telegram", "777")}
    await impostor.say("/start DISDUKCAPIL", start="DISDUKCAPIL")
    for answer in ("1", "Orang Lain", "1", "1", "bulan lalu"):
        await impostor.say(answer)
    await impostor.say(contact=SharedContact(OWNER, is_own=False))
    assert "bukan milik akun Anda" in impostor.text


async def test_a_verified_chat_typing_a_new_number_leaves_the_verified_record_alone(
        app: App) -> None:
    owner = owner_on_whatsapp(app)
    await register(owner, name="Siti Aminah")
    await up_to_summary(owner, "Siti Aminah", "0813 1111 2222")  # typed: not proven
    await owner.say("1")
    assert "belum dipastikan milik Anda" in owner.text
    mine = await record(app)
    other = await record(app, "+6281311112222")
    assert mine is not None and mine.status == "verified"
    assert other is not None and other.status == "registered"


async def test_reminders_are_a_separate_yes_and_the_service_is_optional(app: App) -> None:
    user = User(app.engine)
    await user.say("/start RSUD", start="RSUD")
    await user.say("1")
    await user.say("Budi Santoso")
    await user.say("1")
    assert "Tidak wajib" in user.text and "Rawat inap" not in user.text
    assert user.choices[-1] == "svc:skip"
    await user.say("lewati")
    await user.say("bulan lalu")
    await user.say(contact=SharedContact("+6281377776666", is_own=True))
    await user.say("lewati")
    assert "tidak wajib" in user.text and user.choices == ["remind:yes", "remind:no"]
    await user.say("2")
    assert "Pengingat: Tidak usah" in user.text and "Layanan: -" in user.text
    await user.say("1")
    saved = await record(app, "+6281377776666")
    assert saved is not None and saved.service is None and saved.opted_out_at is not None
    await register(user, "RSUD", name="Budi Santoso", phone="+6281377776666")  # says yes
    saved = await record(app, "+6281377776666")
    assert saved is not None and saved.opted_out_at is None


async def test_a_stranger_confirming_in_the_same_shared_commit_as_the_owner_is_unlinked(
        app: App) -> None:
    stranger = User(app.engine, Channel.WEB, "web-3")
    await up_to_summary(stranger, "Orang Lain", TYPED)
    owner = owner_on_whatsapp(app)
    await owner.say("DAFTAR DISDUKCAPIL")
    for answer in ("1", "Siti Aminah", "1", "1", "bulan lalu", "1", "lewati", "1"):
        await owner.say(answer)
    await asyncio.gather(stranger.say("1"), owner.say("1"))  # the stranger's turn runs first
    mine = await record(app)
    assert mine is not None and mine.status == "verified" and mine.name == "Siti Aminah"
    assert await links(app) == {("whatsapp", OWNER)}


async def test_web_links_made_before_the_check_are_removed_from_verified_records(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = [m for m in known_migrations() if m.version < UNPROVEN_LINKS]
    monkeypatch.setattr("storage.migrate.known_migrations", lambda: before)
    async with Database(tmp_path / "old.db") as db:
        await migrate(db.writer)
        await db.writer.executescript(
            """INSERT INTO units VALUES ('U', 'Unit', 'R', 'Asia/Makassar', '[]', 't', 't');
               INSERT INTO respondents (id, phone, unit_code, status, created_at, updated_at)
               VALUES (1, '+6281234567890', 'U', 'verified', 't', 't'),
                      (2, '+6281300000000', 'U', 'registered', 't', 't');
               INSERT INTO channel_identities (channel, address, respondent_id, created_at)
               VALUES ('web', 'stranger', 1, 't'), ('whatsapp', '+6281234567890', 1, 't'),
                      ('telegram', '777', 1, 't'), ('web', 'own-unverified', 2, 't');""")
        monkeypatch.undo()
        await migrate(db.writer)
        async with db.writer.execute(
                "SELECT channel, address FROM channel_identities ORDER BY 1, 2") as cur:
            assert [tuple(r) for r in await cur.fetchall()] == [
                ("telegram", "777"), ("web", "own-unverified"),
                ("whatsapp", "+6281234567890")]


async def test_only_a_yes_to_reminders_puts_a_person_in_a_broadcast(app: App) -> None:
    yes = User(app.engine, Channel.TELEGRAM, "801")
    await register(yes, phone="081211110001")
    no = User(app.engine, Channel.TELEGRAM, "802")
    await no.say("/start DISDUKCAPIL", start="DISDUKCAPIL")
    for answer in ("1", "Budi Santoso", "1", "1", "bulan lalu"):
        await no.say(answer)
    await no.say(contact=SharedContact("081211110002", is_own=True))
    for answer in ("lewati", "tidak", "1"):
        await no.say(answer)
    assert "terdaftar sebagai calon responden" in no.text
    async with app.db.reading() as conn:
        preview = await app.deps.broadcasts.preview(conn, request(), app.deps.clock.now())
    assert preview.total == 1 and preview.per_channel == {"telegram": 1}
