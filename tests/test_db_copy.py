"""`spi-bot db copy`: a SQLite deployment moves to PostgreSQL with everything, counts checked;
`spi-bot db migrate` and the start-up refusal of a schema newer than the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import open_app
from core.messages import Channel
from core.scope import DEFAULT_SCOPE
from core.settings import Settings, load_settings
from storage.errors import SchemaBehindError, SchemaTooNewError
from tests.support.broadcasts import add_broadcast
from tests.support.cli import run_cli
from tests.support.clock import FakeClock
from tests.support.dialog import User, register
from tests.support.pii import table_names

ONLY_POSTGRES = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


async def _counts(app: object, tables: list[str]) -> dict[str, int]:
    counts = {}
    async with app.db.reading() as conn:  # type: ignore[attr-defined]
        for table in tables:
            rows = await conn.execute_fetchall(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            counts[table] = int(rows[0][0])
    return counts


@ONLY_POSTGRES
async def test_copy_moves_every_table_and_the_bot_carries_on(
        tmp_path: Path, settings: Settings, clock: FakeClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    sqlite_settings = load_settings(_env_file=None, database_path=tmp_path / "old.db")
    async with open_app(sqlite_settings, clock) as old:
        siti = User(old.engine, Channel.TELEGRAM, "777001234")
        await register(siti)
        await register(User(old.engine, Channel.WHATSAPP, "+6281311112222", "+6281311112222"),
                       name="Rudi Hartono", phone=None, email="rudi@contoh.id")
        await User(old.engine, Channel.WEB, "web-1").say("apakah survei spi wajib?")
        async with old.db.reading() as conn:
            rudi = await old.deps.respondents.get_by_phone(conn, DEFAULT_SCOPE, "+6281311112222")
        assert rudi is not None and rudi.id is not None
        await add_broadcast(old, [(rudi.id, "whatsapp", "+6281311112222", "sent", "SM1")])
        async with old.db.reading() as conn:
            tables = [t for t in await table_names(conn) if t != "schema_version"]
        before = await _counts(old, tables)
    assert before["respondents"] == 2 and before["deliveries"] == 1
    assert before["audit_log"] > 0 and before["channel_identities"] == 2
    assert before["faq_daily"] + before["faq_unanswered"] > 0

    assert settings.database_url is not None
    result = await run_cli(monkeypatch, settings, "db", "copy", "--from",
                           str(tmp_path / "old.db"), "--to", settings.database_url)
    assert result.code == 0, result.out
    assert "jumlah baris cocok" in result.out

    async with open_app(settings, clock) as new:
        assert await _counts(new, tables) == before
        # The conversation goes on where it was, and new rows get fresh ids.
        await siti.__class__(new.engine, Channel.TELEGRAM, "777001234").say("DATA SAYA")
        await register(User(new.engine, Channel.TELEGRAM, "5550001"), name="Nina Zahra",
                       phone="081399998888", email="nina@contoh.id")
        async with new.db.reading() as conn:
            ids = [r[0] for r in await conn.execute_fetchall(
                "SELECT id FROM respondents ORDER BY id")]
        assert ids == [1, 2, 3]

    # A second copy into the now full database is refused and changes nothing.
    again = await run_cli(monkeypatch, settings, "db", "copy", "--from",
                          str(tmp_path / "old.db"), "--to", settings.database_url)
    assert again.code == 3


@pytest.mark.both_backends
async def test_db_migrate_then_a_schema_newer_than_the_code_is_refused(
        settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    first = await run_cli(monkeypatch, settings, "db", "migrate")
    assert first.code == 0 and "mutakhir" in first.out
    status = await run_cli(monkeypatch, settings, "db", "status")
    assert status.code == 0 and "Belum diterapkan: -" in status.out
    async with open_app(settings, clock) as app, app.db.transaction() as conn:
        await conn.execute("INSERT INTO schema_version (version) VALUES (9999)")
    with pytest.raises(SchemaTooNewError):
        async with open_app(settings, clock):
            pass
    refused = await run_cli(monkeypatch, settings, "db", "migrate")
    assert refused.code == 3


@pytest.mark.both_backends
async def test_without_auto_migrate_start_up_refuses_a_schema_behind_the_code(
        settings: Settings, clock: FakeClock, monkeypatch: pytest.MonkeyPatch) -> None:
    manual = settings.model_copy(update={"auto_migrate": False})
    with pytest.raises(SchemaBehindError):
        async with open_app(manual, clock):
            pass
    assert (await run_cli(monkeypatch, settings, "db", "status")).code == 1
    assert (await run_cli(monkeypatch, settings, "db", "migrate")).code == 0
    async with open_app(manual, clock) as app:
        assert app.db.dialect == ("postgresql" if settings.database_url else "sqlite")
