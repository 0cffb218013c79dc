"""Writes queued for the commit: run at the commit, all or nothing, and seen by erasure."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import App, open_app
from bot.engine.recent_ids import RecentIds
from core.messages import Channel, Inbound
from core.settings import Settings
from storage.database import GroupAborted
from storage.personal_data import erase_respondent
from storage.repositories.sessions import Session
from tests.support.clock import FakeClock
from tests.support.dialog import User, register


async def rows(app: App, sql: str) -> list[tuple[object, ...]]:
    async with app.db.reading() as conn:
        return [tuple(row) for row in await conn.execute_fetchall(sql)]


def _session(address: str, state: str = "reg:name") -> Session:
    return Session("whatsapp", address, "id", state, {"unit": "RSUD"})


async def test_queued_writes_run_at_the_commit_in_order(app: App) -> None:
    sessions, now = app.engine._sessions, app.deps.clock.now()
    async with app.db.transaction() as conn:
        for i in range(3):
            app.db.later(sessions.save(_session(f"+62812000000{i}"), now, "id"))
        app.db.later(sessions.save(_session("+628120000001", "reg:type"), now, "id"))
        assert not conn.in_transaction  # nothing has reached the database yet
    assert await rows(app, "SELECT address, state FROM sessions ORDER BY address") == [
        ("+628120000000", "reg:name"), ("+628120000001", "reg:type"),
        ("+628120000002", "reg:name")]


async def test_a_failing_queued_write_rolls_back_the_whole_transaction(app: App) -> None:
    with pytest.raises(Exception, match="UNIQUE"):
        async with app.db.transaction() as conn:
            await conn.execute("INSERT INTO processed_inbound VALUES ('x', 'a', '2026-01-01')")
            app.db.later(app.engine._inbound.record("x", "a", app.deps.clock.now()))
    assert await rows(app, "SELECT * FROM processed_inbound WHERE channel = 'x'") == []
    async with app.db.transaction() as conn:  # the connection is usable afterwards
        app.db.later(app.engine._inbound.record("x", "b", app.deps.clock.now()))
    assert len(await rows(app, "SELECT * FROM processed_inbound WHERE channel = 'x'")) == 1


async def test_erasure_deletes_a_conversation_queued_earlier_in_the_same_commit(
    app: App
) -> None:
    await register(User(app.engine, Channel.WHATSAPP, "+6281234567890", "+6281234567890"))
    (rid,), = await rows(app, "SELECT id FROM respondents")
    async with app.db.transaction() as conn:
        app.db.later(app.engine._sessions.save(
            _session("+6281234567890"), app.deps.clock.now(), "id"))
        await erase_respondent(conn, int(str(rid)), app.deps.clock.now(), actor="test",
                               via="test", pending=app.db.batch)
    assert await rows(app, "SELECT * FROM sessions") == []


async def test_a_redelivery_after_a_restart_is_ignored(
    settings: Settings, clock: FakeClock
) -> None:
    async with open_app(settings, clock) as app:
        user = User(app.engine)
        await user.say("/start RSUD", start="RSUD", provider_id="dup-1")
        await user.say("1", provider_id="dup-2")
    async with open_app(settings, clock) as app:  # nothing of it in memory now
        user = User(app.engine)
        assert await user.say("1", provider_id="dup-2") == []
        await user.say("Siti Aminah")
        assert "sebagai apa" in user.text


async def test_a_redelivery_only_the_commit_notices_is_still_processed_once(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """The early checks (ids committed by this process, the conversation read) are only
    shortcuts: the id's insert at the commit is the check, and the failed commit costs the
    turns sharing it nothing but a second run."""
    user = User(app.engine)
    await user.say("/start RSUD", start="RSUD", provider_id="dup-1")
    await user.say("1", provider_id="dup-2")  # consent given: a name is expected
    app.engine._recent_ids = RecentIds()  # as if processed long ago; the session is cached
    others = [User(app.engine, Channel.TELEGRAM, str(7000 + i)) for i in range(20)]
    results = await asyncio.gather(
        *(o.say("/start RSUD", start="RSUD") for o in others),
        app.engine.handle(Inbound(Channel.TELEGRAM, "1001", "1", provider_id="dup-2")))
    assert results[-1] == []  # the redelivered "1" did nothing
    assert "Commit bersama gagal" in caplog.text  # noticed by the commit, as intended
    assert all("setuju" in o.text.lower() for o in others)
    await user.say("Siti Aminah")
    assert "sebagai apa" in user.text  # still at the name step before it


async def test_a_failed_shared_commit_sends_everyone_back_to_run_alone(app: App) -> None:
    db = app.db
    outcomes: list[str] = []

    async def turn(i: int) -> None:
        try:
            async with db.transaction(group=True):
                db.later(app.engine._inbound.record("g", "same" if i in (3, 7) else str(i),
                                                    app.deps.clock.now()))
                await asyncio.sleep(0)
            outcomes.append("ok")
        except GroupAborted:
            outcomes.append("again")

    await asyncio.gather(*(turn(i) for i in range(10)))
    # 3 and 7 shared a commit that failed: nobody of it is committed, all of it runs again
    assert outcomes.count("again") >= 5
    assert await rows(app, "SELECT COUNT(*) FROM processed_inbound WHERE channel = 'g'") == [
        (outcomes.count("ok"),)]
