"""One list of personal columns; dialogs that expire; retention by default; DATA SAYA."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.server.housekeeping import Housekeeping
from core.messages import Channel, SharedContact
from core.settings import Settings
from inspectorate.retention import purge_expired_personal_data
from storage.migrate import migrate
from storage.personal_data import COLUMNS, Kind, personal_columns
from storage.sqlite import SqliteDatabase as Database
from tests.support.broadcasts import add_broadcast
from tests.support.cli import run_cli
from tests.support.clock import FakeClock
from tests.support.dialog import User, register
from tests.support.pii import traces
from tests.support.server import running_server

pytestmark = pytest.mark.both_backends

SITI = ("Siti Aminah", "81234567890", "siti@contoh.id", "777001234")


async def _rows(app: App, sql: str) -> list[tuple[object, ...]]:
    async with app.db.reading() as conn:
        return [tuple(r) for r in await conn.execute_fetchall(sql)]


async def _half_registration(user: User, name: str) -> None:
    """A registration stopped after the name: the name sits in the dialog only."""
    await user.say("DAFTAR RSUD")
    await user.say("1")
    await user.say(name)


# --- one list of personal columns --------------------------------------------------------

async def test_every_column_of_every_table_is_classified(tmp_path: Path) -> None:
    """A migration that adds a table or column must say in storage/personal_data.py whether it
    holds personal data; otherwise erasure, purge and DATA SAYA would silently miss it."""
    async with Database(tmp_path / "schema.db") as db:
        await migrate(db.writer)
        tables = [r[0] for r in await db.writer.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        schema = {}
        for table in tables:
            info = await db.writer.execute_fetchall(f"PRAGMA table_info({table})")
            schema[table] = {row[1] for row in info}
    classified = {table: set(columns) for table, columns in COLUMNS.items()}
    unclassified = {f"{t}.{c}" for t, cols in schema.items()
                    for c in cols - classified.get(t, set())}
    stale = {f"{t}.{c}" for t, cols in classified.items() for c in cols - schema.get(t, set())}
    assert not unclassified, f"classify these in storage/personal_data.py: {unclassified}"
    assert not stale, f"no longer in the schema: {stale}"


async def test_erasure_blanks_every_personal_column_and_keeps_the_counts(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "capil.csv"
    source.write_text("nama,hp,email,unit,kategori,tanggal mulai\n"
                      "Siti Aminah,081234567890,siti@contoh.id,DISDUKCAPIL,internal,2015-02-03\n")
    assert (await run_cli(monkeypatch, settings, "respondents", "import", str(source))).code == 0
    whatsapp = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await register(whatsapp)  # now also a service, a month, a chat account
    await add_broadcast(app, [(1, "whatsapp", "+6281234567890", "sent", "SM1")])
    await _half_registration(whatsapp, "Siti Lagi")
    assert set(await traces(app, *SITI, "2015-02-03", "Siti Lagi")) >= {
        "respondents.name", "respondents.started_on", "deliveries.address", "sessions.data"}
    deleted = await run_cli(monkeypatch, settings, "respondents", "delete", "081234567890",
                            "--yes")
    assert deleted.code == 0, deleted.out
    assert await traces(app, *SITI, "2015-02-03", "Siti Lagi") == []
    columns = ", ".join(personal_columns("respondents"))
    assert await _rows(app, f"SELECT {columns} FROM respondents") == [  # noqa: S608
        (None,) * len(personal_columns("respondents"))]
    assert await _rows(app, "SELECT unit_code, category, status FROM respondents") == [
        ("DISDUKCAPIL", "external", "erased")]
    for table in ("channel_identities", "sessions"):
        assert all(kind is Kind.PERSONAL for column, kind in COLUMNS[table].items()
                   if column != "institution_id")  # whose data it is: not personal itself
        assert await _rows(app, f"SELECT COUNT(*) FROM {table}") == [(0,)]  # noqa: S608


async def test_erased_data_does_not_linger_in_the_database_files(
        settings: Settings, clock: FakeClock, backend: str) -> None:
    if backend == "postgresql":
        pytest.skip("SQLite's files; PostgreSQL keeps dead rows until VACUUM (docs/postgres.md)")
    def on_disk() -> bytes:
        return b"".join(p.read_bytes() for p in settings.database_path.parent.glob("bot.db*"))

    async with open_app(settings, clock) as app:
        assert await _rows(app, "PRAGMA secure_delete") == [(1,)]
        user = User(app.engine, Channel.TELEGRAM, "777001234")
        await register(user, name="Zulkarnain Wibisono")
        await app.db.writer.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        assert b"Zulkarnain" in on_disk()
        await user.say("HAPUS DATA")
        await user.say("1")
        # what the background checkpoint does every second, then any write starts the WAL over
        await app.db.writer.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        await User(app.engine, Channel.TELEGRAM, "5550001").say("halo")
        assert b"Zulkarnain" not in on_disk() and b"siti@contoh.id" not in on_disk()
    assert b"Zulkarnain" not in on_disk()


# --- unfinished dialogs expire ----------------------------------------------------------

async def test_a_half_typed_name_is_forgotten_once_the_dialog_times_out(
        app: App, clock: FakeClock) -> None:
    anonymous = User(app.engine, Channel.WHATSAPP, "+6281399998888", "+6281399998888")
    await _half_registration(anonymous, "Budi Santoso")
    english = User(app.engine, Channel.TELEGRAM, "5550001")
    await english.say("BAHASA EN")
    await _half_registration(english, "Rina Kartika")
    housekeeping = Housekeeping(app)
    assert await housekeeping.run_once() == 0  # still within the timeout
    assert await traces(app, "Budi Santoso", "Rina Kartika")
    clock.advance(minutes=app.settings.session_idle_minutes, seconds=1)
    assert await housekeeping.run_once() == 2
    assert await traces(app, "Budi Santoso", "Rina Kartika", "81399998888") == []
    # the chosen language stays, with no dialog in it
    assert await _rows(app, "SELECT address, state, data, language FROM sessions") == [
        ("5550001", "idle", "{}", "en")]
    await english.say("menu")
    assert "Rina" not in english.text and "What do you need?" in english.text


async def test_the_server_expires_dialogs_on_a_schedule_and_logs_the_retention_rule(
        app: App, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.server.housekeeping"):
        async with running_server(app) as server:
            assert server.runtime.housekeeping.running
        assert not server.runtime.housekeeping.running
    logged = " ".join(caplog.messages)
    assert "SPI_SURVEY_END_DATE kosong" in logged and "2027-10-31" in logged


# --- retention works without a survey end date ------------------------------------------

async def test_purge_runs_with_no_survey_end_date_set(
        app: App, clock: FakeClock, settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert app.settings.survey_end_date is None
    clock.set(datetime(2020, 3, 2, 3, 0, tzinfo=UTC))  # SPI 2020 season: gone by 31 Oct 2021
    await register(User(app.engine, Channel.TELEGRAM, "777001234"))
    chatting = User(app.engine, Channel.WHATSAPP, "+6281399998888", "+6281399998888")
    await chatting.say("BAHASA EN")  # a chat that never registered: its row goes too
    clock.set(datetime(2020, 11, 2, 3, 0, tzinfo=UTC))  # after fieldwork: the 2021 season
    rudi = User(app.engine, Channel.WHATSAPP, "+6281311112222", "+6281311112222")
    await register(rudi, name="Rudi Hartono", email="rudi@contoh.id")

    clock.set(datetime(2021, 10, 30, 3, 0, tzinfo=UTC))
    early = await purge_expired_personal_data(app.db, app.settings, clock.now())
    assert early.due and early.count == 0
    assert str(early.rule.next_purge_on) == "2021-10-31"
    done = await purge_expired_personal_data(app.db, app.settings,
                                             clock.now() + timedelta(days=1))
    assert done.count == 1
    assert await traces(app, *SITI) == []
    assert await traces(app, "Rudi Hartono", "81311112222", "rudi@contoh.id")
    assert await traces(app, "81399998888") == []
    # through the CLI, on the real clock: the 2021 season's retention ended long ago
    purged = await run_cli(monkeypatch, settings, "purge")
    assert purged.code == 0 and "Dihapus: data pribadi 1 orang" in purged.out
    assert "SPI_SURVEY_END_DATE kosong, jadi berlaku bawaan" in purged.out
    assert await traces(app, "Rudi Hartono", "81311112222", "rudi@contoh.id") == []


# --- DATA SAYA -------------------------------------------------------------------------

async def test_data_saya_shows_the_owner_everything_stored(
        app: App, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "capil.csv"
    source.write_text("nama,hp,email,unit,kategori,tanggal mulai\n"
                      "Siti Aminah,081234567890,siti@contoh.id,DISDUKCAPIL,internal,2015-02-03\n")
    assert (await run_cli(monkeypatch, settings, "respondents", "import", str(source))).code == 0
    whatsapp = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await whatsapp.say("DATA SAYA")
    for shown in ("Siti Aminah", "+6281234567890", "siti@contoh.id", "2015-02-03",
                  "DISDUKCAPIL", "daftar dari unit layanan", "Pengingat: aktif",
                  "Dihapus otomatis paling lambat: 2028-10-30", "HAPUS DATA"):
        assert shown in whatsapp.text
    telegram = User(app.engine, Channel.TELEGRAM, "777001234")
    await register(telegram)  # the owner's own Telegram contact: linked and verified
    await _half_registration(whatsapp, "Siti Baru")  # pending on the other chat
    await telegram.say("DATA SAYA")  # a chat link alone does not show a verified record
    assert "bagikan kontak Anda sendiri" in telegram.text and "Siti" not in telegram.text
    await telegram.say(contact=SharedContact("081234567890", is_own=True))
    async with app.db.reading() as conn:
        row = await conn.execute_fetchall("SELECT * FROM respondents")
    stored = dict(next(iter(row)))
    for column in personal_columns("respondents"):
        assert str(stored[column]) in telegram.text, column
    for shown in ("telegram 777001234", "sudah dipastikan milik Anda",
                  "Persetujuan: 2026-11-21 11:00 WITA", "whatsapp +6281234567890",
                  '"name": "Siti Baru"'):
        assert shown in telegram.text
    await telegram.say("STOP")
    await telegram.say("bahasa en")
    await telegram.say("MY DATA")
    await telegram.say(contact=SharedContact("+6281234567890", is_own=True))
    assert "Reminders: stopped since 2026-11-21 11:00 WITA" in telegram.text
    async with app.db.reading() as conn:
        shown_entries = [e for e in await app.deps.audit.recent(conn)
                         if e.action == "respondent.shown"]
    assert shown_entries and "Siti" not in str([e.detail for e in shown_entries])


async def test_data_saya_tells_others_nothing(app: App) -> None:
    await register(User(app.engine, Channel.TELEGRAM, "777001234"))
    nobody = User(app.engine, Channel.TELEGRAM, "888000111")
    await nobody.say("DATA SAYA")
    neutral = nobody.text
    assert "Tidak ada data pribadi yang terhubung dengan akun chat ini" in neutral
    # a stranger who typed the registered number half-way through a dialog learns nothing more
    stranger = User(app.engine, Channel.TELEGRAM, "888000222")
    await stranger.say("DAFTAR DISDUKCAPIL", start="DISDUKCAPIL")
    await stranger.say("1")
    await stranger.say("Bukan Siti")
    await stranger.say("1")
    await stranger.say("1")
    await stranger.say("bulan lalu")
    await stranger.say("081234567890")
    await stranger.say("data saya")
    assert "Dibatalkan" in stranger.text
    assert stranger.text.replace(stranger.last[0].text + "\n", "") == neutral
    for needle in ("Siti Aminah", "siti@contoh.id", "777001234"):
        assert needle not in stranger.text
    # an unregistered WhatsApp number gets the same words
    whatsapp = User(app.engine, Channel.WHATSAPP, "+6281399998888", "+6281399998888")
    await whatsapp.say("Data Saya!")
    assert whatsapp.text == neutral


async def test_staff_show_lists_unfinished_dialogs_and_the_purge_day(
        app: App, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    await register(User(app.engine, Channel.TELEGRAM, "777001234"))
    whatsapp = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await _half_registration(whatsapp, "Siti Baru")
    shown = await run_cli(monkeypatch, settings, "respondents", "show", "081234567890")
    assert shown.code == 0
    assert "Dialog terbuka" in shown.out and '"name": "Siti Baru"' in shown.out
    assert "Dihapus paling lambat: 2028-10-30" in shown.out  # the 2027 season's end + 365


async def test_a_chat_linked_before_the_owner_verified_sees_nothing(app: App) -> None:
    """The takeover of issue 12: a stranger's chat typed the number first, then its owner
    registered from WhatsApp. The stranger's old link must not show the owner's data."""
    stranger = User(app.engine, Channel.TELEGRAM, "888000222")
    await stranger.say("/start DISDUKCAPIL", start="DISDUKCAPIL")
    for answer in ("1", "Orang Lain", "1", "1", "bulan lalu", "081234567890",
                   "lain@contoh.id", "1", "1"):
        await stranger.say(answer)
    await stranger.say("DATA SAYA")  # its own typing, not yet anyone else's: shown
    assert "Orang Lain" in stranger.text
    owner = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await register(owner)
    await owner.say("DATA SAYA")
    assert "Siti Aminah" in owner.text
    # The owner's proof removed the stranger's link: nothing of the owner's is shown, and
    # neither another contact nor typing the number brings it back.
    await stranger.say("DATA SAYA")
    assert "Siti" not in stranger.text and "Tidak ada data pribadi" in stranger.text
    await stranger.say(contact=SharedContact("081299990000", is_own=True))
    await stranger.say("DATA SAYA")
    assert "Siti" not in stranger.text and "Tidak ada data pribadi" in stranger.text
    await stranger.say("081234567890")  # typing the number proves nothing
    await stranger.say("DATA SAYA")
    assert "Siti" not in stranger.text and "Tidak ada data pribadi" in stranger.text


async def test_erasure_also_clears_a_dialog_that_typed_the_persons_number(app: App) -> None:
    """A stranger's registration got the number while it was free, then its owner registered
    and erased: the stranger's dialog must not keep the number."""
    stranger = User(app.engine, Channel.TELEGRAM, "888000222")
    await stranger.say("/start DISDUKCAPIL", start="DISDUKCAPIL")
    for answer in ("1", "Orang Lain", "1", "1", "bulan lalu", "081234567890"):
        await stranger.say(answer)
    owner = User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890")
    await register(owner)
    assert "sessions.data" in await traces(app, "+6281234567890")
    await owner.say("HAPUS DATA")
    await owner.say("1")
    assert await traces(app, *SITI) == []
    await stranger.say("lain@contoh.id")  # the dialog is gone, not resumed with the number
    assert "81234567890" not in stranger.text
    assert await traces(app, "81234567890") == []


@pytest.mark.parametrize(("created", "purged_on"), [
    ("2026-06-01", "2027-10-31"),  # recorded during the 2026 season
    ("2026-10-31", "2027-10-31"),  # the season's last day still belongs to it
    ("2026-11-01", "2028-10-30"),  # after fieldwork: the 2027 season (2028 is a leap year)
])
async def test_default_purge_day_follows_the_season_a_record_was_made_in(
        app: App, clock: FakeClock, created: str, purged_on: str) -> None:
    clock.set(datetime.fromisoformat(f"{created}T03:00:00+00:00"))
    await register(User(app.engine, Channel.TELEGRAM, "777001234"))
    day = datetime.fromisoformat(f"{purged_on}T01:00:00+00:00")
    before = await purge_expired_personal_data(app.db, app.settings, day - timedelta(days=1))
    assert before.count == 0 and str(before.rule.next_purge_on) == purged_on
    on_the_day = await purge_expired_personal_data(app.db, app.settings, day)
    assert on_the_day.count == 1
