"""Access, erasure and retention: what staff and respondents can do about personal data."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.app import App
from core.messages import Channel
from core.scope import DEFAULT_SCOPE
from core.settings import Settings
from handlers.router import Router
from handlers.turn import Turn
from inspectorate.retention import purge_expired_personal_data
from tests.support.broadcasts import add_broadcast
from tests.support.cli import run_cli
from tests.support.clock import FakeClock
from tests.support.dialog import User, register
from tests.support.pii import traces

pytestmark = pytest.mark.both_backends

SITI = ("Siti Aminah", "81234567890", "siti@contoh.id", "777001234")


async def count(app: App, sql: str) -> int:
    async with app.db.reading() as conn, conn.execute(sql) as cur:
        row = await cur.fetchone()
    return int(row[0])


async def test_hapus_data_in_chat_leaves_no_personal_data_in_any_table(app: App) -> None:
    user = User(app.engine, Channel.TELEGRAM, "777001234")
    await register(user)
    other = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await other.say("DAFTAR RSUD")  # a half-finished dialog on the person's other channel
    await other.say("1")
    await other.say("Siti Aminah")
    async with app.db.reading() as conn:
        siti = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281234567890")
    assert siti is not None and siti.id is not None
    await add_broadcast(app, [(siti.id, "telegram", "777001234", "sent", "55")])
    assert await traces(app, *SITI)
    await user.say("HAPUS DATA")
    await user.say("1")
    assert "dihapus" in user.text
    assert "dipegang KPK" in user.text and "call center 198" in user.text
    assert await traces(app, *SITI) == []
    assert await count(app, "SELECT COUNT(*) FROM respondents WHERE status = 'erased'") == 1
    await other.say("1")  # the dialog on the other channel was forgotten, not resumed
    assert "Siti" not in other.text
    assert await traces(app, *SITI) == []
    async with app.db.reading() as conn:
        entries = await app.deps.audit.recent(conn)
    erased = [e for e in entries if e.action == "respondent.erased"]
    assert erased and erased[0].detail == {"via": "telegram"}


async def test_imported_person_can_erase_from_whatsapp(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "capil.csv"
    source.write_text("nama,hp,email,unit,kategori,tanggal mulai\n"
                      "Siti Aminah,081234567890,siti@contoh.id,DISDUKCAPIL,internal,2015-02-03\n")
    assert (await run_cli(monkeypatch, settings, "respondents", "import", str(source))).code == 0
    user = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await user.say("hapus data")
    await user.say("ya")
    assert await traces(app, *SITI, "2015-02-03") == []


async def test_staff_show_then_delete_by_phone(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await register(User(app.engine, Channel.TELEGRAM, "777001234"))
    shown = await run_cli(monkeypatch, settings, "respondents", "show", "0812-3456-7890")
    assert shown.code == 0
    for expected in ("Siti Aminah", "+6281234567890", "siti@contoh.id",
                     "Dinas Kependudukan dan Pencatatan Sipil (DISDUKCAPIL)",
                     "pendaftaran lewat bot", "telegram 777001234"):
        assert expected in shown.out
    refused = await run_cli(monkeypatch, settings, "respondents", "delete", "081234567890",
                            stdin="tidak\n")
    assert refused.code == 1 and await traces(app, *SITI)
    deleted = await run_cli(monkeypatch, settings, "respondents", "delete", "081234567890",
                            stdin="ya\n")
    assert deleted.code == 0, deleted.out
    assert await traces(app, *SITI) == []
    assert await count(app, "SELECT COUNT(*) FROM respondents") == 1
    async with app.db.reading() as conn:
        actions = [(e.actor, e.action) for e in await app.deps.audit.recent(conn)]
    assert ("cli", "respondent.erased") in actions and ("cli", "respondent.shown") in actions
    gone = await run_cli(monkeypatch, settings, "respondents", "show", "081234567890")
    assert gone.code == 1 and "Tidak ada data tersimpan" in gone.out
    bad = await run_cli(monkeypatch, settings, "respondents", "delete", "12ab", stdin="ya\n")
    assert bad.code == 1 and "bukan nomor telepon yang valid" in bad.out


async def test_purge_waits_for_the_retention_period_then_erases_everyone(
        app: App, clock: FakeClock) -> None:
    await register(User(app.engine, Channel.TELEGRAM, "777001234"))
    await register(User(app.engine, Channel.WHATSAPP, "+6281311112222", "+6281311112222"),
                   name="Rudi Hartono", email="rudi@contoh.id")
    async with app.db.reading() as conn:
        rudi = await app.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281311112222")
    assert rudi is not None and rudi.id is not None
    await add_broadcast(app, [(rudi.id, "whatsapp", "+6281311112222", "sent", "SM1")])
    settings = app.settings.model_copy(update={"survey_end_date": date(2026, 10, 31),
                                               "retention_days_after_survey": 30})
    before = await purge_expired_personal_data(
        app.db, settings, datetime(2026, 11, 29, 23, 0, tzinfo=UTC))
    assert before.purge_on == date(2026, 11, 30) and not before.due and before.count == 0
    dry = await purge_expired_personal_data(
        app.db, settings, datetime(2026, 11, 30, 1, 0, tzinfo=UTC), dry_run=True)
    assert dry.due and dry.by_unit == {("DISDUKCAPIL", "bot"): 2}
    assert await traces(app, *SITI)
    done = await purge_expired_personal_data(
        app.db, settings, datetime(2026, 11, 30, 1, 0, tzinfo=UTC))
    assert done.count == 2
    assert await traces(app, *SITI, "Rudi Hartono", "81311112222", "rudi@contoh.id") == []
    assert await count(app, "SELECT COUNT(*) FROM respondents WHERE status = 'erased'") == 2
    assert await count(app, "SELECT COUNT(*) FROM deliveries WHERE state = 'sent'") == 1
    again = await purge_expired_personal_data(
        app.db, settings, datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    assert again.due and again.count == 0


async def test_purge_command_dry_run_says_what_would_go(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await register(User(app.engine, Channel.TELEGRAM, "777001234"))
    unset = await run_cli(monkeypatch, settings, "purge", "--dry-run")  # registered in 2026
    assert unset.code == 0 and "SPI_SURVEY_END_DATE kosong, jadi berlaku bawaan" in unset.out
    assert "Tidak ada data pribadi yang masa simpannya sudah berakhir" in unset.out
    env = {"SPI_SURVEY_END_DATE": "2020-10-31", "SPI_RETENTION_DAYS_AFTER_SURVEY": "30"}
    dry = await run_cli(monkeypatch, settings, "purge", "--dry-run", env=env)
    assert dry.code == 0
    assert "1 orang" in dry.out and "Dinas Kependudukan" in dry.out and "2020-11-30" in dry.out
    assert await traces(app, *SITI)
    done = await run_cli(monkeypatch, settings, "purge", env=env)
    assert done.code == 0 and "1 orang" in done.out
    assert await traces(app, *SITI) == []


async def erasure_asked_beside_a_half_registration(app: App) -> tuple[User, User]:
    """Siti registered on Telegram and asked there to erase her data (the confirmation not yet
    sent); on WhatsApp a registration with her number waits for the name."""
    user = User(app.engine, Channel.TELEGRAM, "777001234")
    await register(user)
    other = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await other.say("DAFTAR RSUD")
    await other.say("1")
    await user.say("HAPUS DATA")
    return user, other


@pytest.mark.parametrize("erase_first", [False, True])
async def test_erasure_sharing_a_commit_with_the_persons_other_chat_leaves_nothing(
    app: App, erase_first: bool
) -> None:
    """Turns committed together write their conversations at the commit; an erasure in the
    same commit must still win over the person's other chat, whichever came first."""
    user, other = await erasure_asked_beside_a_half_registration(app)
    fillers = [User(app.engine, Channel.TELEGRAM, str(9000 + i)) for i in range(30)]
    turns = [user.say("1"), other.say("Siti Aminah")]
    if not erase_first:
        turns.reverse()
    await asyncio.gather(*(f.say("halo") for f in fillers), *turns)
    assert "dihapus" in user.text
    async with app.db.reading() as conn:
        sessions = list(await conn.execute_fetchall(
            "SELECT state, data FROM sessions WHERE address = '+6281234567890'"))
    # the half-finished registration is gone; a chat after the erasure may start afresh
    assert all(row[0] == "idle" and "Siti" not in row[1] and "RSUD" not in row[1]
               for row in sessions)
    await other.say("1")  # whatever the other chat had is forgotten, not resumed
    assert "Siti" not in other.text and "Layanan" not in other.text


async def test_erasure_waits_for_a_turn_of_the_persons_other_chat_that_read_before_it(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A turn of the person's other chat that read its conversation before the erasure and
    writes it after must not bring the erased words back (two transactions on PostgreSQL, two
    turns of one shared commit on SQLite). The other chat's turn is held
    inside its transaction, after its read, while the erasure runs."""
    user, other = await erasure_asked_beside_a_half_registration(app)
    inside, release = asyncio.Event(), asyncio.Event()
    dispatch = Router.dispatch

    async def held(router: Router, turn: Turn) -> None:
        if turn.msg.text == "Siti Aminah":
            inside.set()
            await release.wait()
        await dispatch(router, turn)

    monkeypatch.setattr(Router, "dispatch", held)
    typing = asyncio.create_task(other.say("Siti Aminah"))
    await asyncio.wait_for(inside.wait(), 10)
    erasing = asyncio.create_task(user.say("1"))
    await asyncio.sleep(0.3)  # long enough for an erasure that does not wait to commit
    release.set()
    await asyncio.wait_for(asyncio.gather(typing, erasing), 10)
    assert "dihapus" in user.text
    async with app.db.reading() as conn:
        sessions = list(await conn.execute_fetchall(
            "SELECT state, data FROM sessions WHERE address = '+6281234567890'"))
    assert sessions == [], sessions
    assert await traces(app, *SITI) == []
