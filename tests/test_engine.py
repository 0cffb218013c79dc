"""Engine guarantees: exactly-once per provider id, per-sender order, concurrency, restarts."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.engine.engine import ReplyRoute
from core.messages import Channel, Inbound
from core.settings import Settings
from storage.repositories.reply_outbox import QueuedReply
from tests.support.clock import FakeClock
from tests.support.dialog import User, register

pytestmark = pytest.mark.both_backends


async def scalar(app: App, sql: str) -> int:
    async with app.db.reading() as conn, conn.execute(sql) as cur:
        row = await cur.fetchone()
    return int(row[0])


async def test_a_redelivered_message_is_processed_once(app: App) -> None:
    user = User(app.engine)
    await user.say("/start RSUD", start="RSUD", provider_id="upd-1")
    first = await user.say("1", provider_id="upd-2")
    again = await user.say("1", provider_id="upd-2")
    assert "nama lengkap" in first[0].text
    assert again == []
    # the redelivered "1" did not advance the dialog: a name is still expected
    await user.say("Siti Aminah", provider_id="upd-3")
    assert "sebagai apa" in user.text


async def test_two_quick_messages_from_one_sender_do_not_both_advance_one_step(app: App) -> None:
    user = User(app.engine)
    await user.say("/start RSUD", start="RSUD")
    consent, name = await asyncio.gather(user.engine.handle(_msg("1", "a")),
                                         user.engine.handle(_msg("Siti Aminah", "b")))
    assert "nama lengkap" in consent[0].text
    assert "sebagai apa" in name[0].text


def _msg(text: str, pid: str, sender: str = "1001") -> Inbound:
    return Inbound(channel=Channel.TELEGRAM, sender=sender, text=text, provider_id=pid)


async def test_replies_are_stored_with_the_turn_and_handed_on_in_order(app: App) -> None:
    delivered: list[str] = []

    def send(queued: list[QueuedReply]) -> None:
        delivered.extend(q.reply.text[:12] for q in queued)

    route = ReplyRoute("1001", send)
    texts = ["halo", "BAHASA EN", "halo", "BAHASA ID", "halo"]
    await asyncio.gather(*(app.engine.handle(_msg(t, f"o{i}"), route=route)
                           for i, t in enumerate(texts)))
    assert await scalar(app, "SELECT COUNT(*) FROM reply_outbox") == len(delivered)
    assert delivered[0].startswith("Halo! Ini")
    assert delivered[2] == "Language cha"
    assert delivered[3].startswith("Hello! This")
    assert delivered[5].startswith("Bahasa digan")


async def test_restart_in_the_middle_of_a_dialog_continues_where_it_stopped(
    settings: Settings, clock: FakeClock
) -> None:
    async with open_app(settings, clock) as app:
        user = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
        await user.say("DAFTAR RSUD")
        await user.say("1")
        await user.say("Siti Aminah")
    async with open_app(settings, clock) as app:
        user = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
        await user.say("1")
        assert "Layanan apa" in user.text
        for answer in ("1", "bulan lalu", "1", "lewati", "1", "1"):
            await user.say(answer)
        assert await scalar(app, "SELECT COUNT(*) FROM respondents") == 1


@pytest.mark.parametrize("where", ["while handling", "at the commit"])
async def test_a_failing_turn_apologises_and_keeps_nothing(
    app: App, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    user = User(app.engine)
    await user.say("/start RSUD", start="RSUD", provider_id="x1")

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    def unwritable(*args: object, **kwargs: object) -> tuple[str, tuple[object, ...]]:
        return ("INSERT INTO no_such_table VALUES (?)", (1,))  # fails when the turn commits

    if where == "while handling":
        monkeypatch.setattr(app.deps.respondents, "save", broken)
    else:
        monkeypatch.setattr(app.deps.audit, "entry", unwritable)
    await user.say("1", provider_id="x2")
    await user.say("Siti Aminah", provider_id="x3")
    for answer in ("1", "1", "bulan lalu"):
        await user.say(answer)
    await user.say(contact=None, text="081234567890")
    await user.say("lewati")
    await user.say("1")  # reminders: yes
    await user.say("1", provider_id="final")
    assert "gangguan" in user.text and "Traceback" not in user.text
    assert await scalar(app, "SELECT COUNT(*) FROM respondents") == 0
    assert await scalar(app, "SELECT COUNT(*) FROM channel_identities") == 0
    monkeypatch.undo()
    # the failed message was not marked processed: the provider's retry succeeds
    await user.say("1", provider_id="final")
    assert "terdaftar" in user.text
    assert await scalar(app, "SELECT COUNT(*) FROM respondents") == 1


async def test_500_concurrent_senders_register_exactly_once_each(app: App) -> None:
    users = [User(app.engine, Channel.WHATSAPP, f"+628125{i:07d}", f"+628125{i:07d}")
             for i in range(500)]
    await asyncio.gather(*(register(u, ("RSUD", "DISHUB", "PBJ")[i % 3])
                           for i, u in enumerate(users)))
    assert await scalar(app, "SELECT COUNT(*) FROM respondents") == 500
    assert await scalar(app, "SELECT COUNT(DISTINCT phone) FROM respondents") == 500
    assert await scalar(app, "SELECT COUNT(*) FROM channel_identities") == 500
    assert await scalar(app, "SELECT COUNT(*) FROM respondents WHERE status = 'verified'") == 500
    assert await scalar(app, "SELECT COUNT(*) FROM sessions") == 0
    assert all("terdaftar sebagai calon responden" in u.text for u in users)
    assert len(app.engine._locks) == 0  # no per-sender lock leaks


async def test_database_file_survives_and_is_reused(tmp_path: Path, clock: FakeClock) -> None:
    settings = Settings(_env_file=None, database_path=tmp_path / "x" / "y.db")  # type: ignore[call-arg]
    async with open_app(settings, clock) as app:
        await register(User(app.engine))
    async with open_app(settings, clock) as app:
        assert await scalar(app, "SELECT COUNT(*) FROM respondents") == 1
        assert await scalar(app, "SELECT COUNT(*) FROM units") == 7


async def test_a_failing_turn_in_a_shared_commit_does_not_cost_the_others(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers.registration import STEPS, Step
    from handlers.turn import Turn

    original = STEPS["name"]

    async def fail_for_one(turn: Turn) -> None:
        if turn.text == "Gagal Total":
            raise RuntimeError("boom")
        await original.answer(turn)

    monkeypatch.setitem(STEPS, "name", Step(original.ask, fail_for_one))
    users = [User(app.engine, Channel.TELEGRAM, str(5000 + i)) for i in range(40)]
    for user in users:
        await user.say("/start RSUD", start="RSUD")
        await user.say("1")
    names = ["Gagal Total" if i == 17 else f"Warga Nomor {chr(65 + i % 26)}"
             for i in range(40)]
    await asyncio.gather(*(u.say(n) for u, n in zip(users, names, strict=True)))
    assert "gangguan" in users[17].text
    assert all("sebagai apa" in u.text for i, u in enumerate(users) if i != 17)
    async with app.db.reading() as conn:
        rows = list(await conn.execute_fetchall("SELECT state FROM sessions ORDER BY address"))
    states = [r[0] for r in rows]
    assert states.count("reg:type") == 39 and states.count("reg:name") == 1
