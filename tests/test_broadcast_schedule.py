"""Schedules: occurrences in a named zone, misfire policy, persistence across restarts and
one worker per database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import App
from core.messages import Channel
from outreach.schedule import Schedule, ScheduleError
from outreach.scheduler import jobs_path
from outreach.service import BroadcastService
from outreach.worker import WorkerBusy
from tests.support.clock import FakeClock
from tests.support.outreach import FakeSender, add_person, create, request, rows, worker
from tests.support.postgres import query

pytestmark = pytest.mark.both_backends

MONDAYS = Schedule.recurring("senin 09:00", "WITA", "2026-08-01", "2026-10-31")


def test_recurring_schedule_uses_its_own_zone_and_dates() -> None:
    first = MONDAYS.first_due(datetime(2026, 7, 1, tzinfo=UTC))
    assert first == datetime(2026, 8, 3, 1, 0, tzinfo=UTC)  # Monday 09:00 WITA
    assert MONDAYS.next_at_or_after(datetime(2026, 10, 27, tzinfo=UTC)) is None
    assert MONDAYS.describe() == "setiap Senin 09:00 WITA, 2026-08-01 s.d. 2026-10-31"
    twice = Schedule.recurring("senin, kamis 08.30", "WIT")
    assert twice.next_at_or_after(datetime(2026, 11, 21, tzinfo=UTC)) == \
        datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # Monday 08:30 WIT
    daily = Schedule.recurring("setiap hari 07:30", "WIB")
    assert daily.next_at_or_after(datetime(2026, 11, 21, 1, tzinfo=UTC)) == \
        datetime(2026, 11, 22, 0, 30, tzinfo=UTC)
    once = Schedule.once("2026-11-25 09:00", "Asia/Jayapura")
    assert once.run_at == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("every", "zone", "message"), [
    ("senen 09:00", "WITA", "Hari 'senen' tidak dikenal"),
    ("senin 25:00", "WITA", "Jam '25:00' tidak valid"),
    ("09:00", "WITA", "Tulis hari dan jam"),
    ("senin 09:00", "Mars/Olympus", "Zona waktu 'Mars/Olympus' tidak dikenal"),
])
def test_schedule_mistakes_are_explained(every: str, zone: str, message: str) -> None:
    with pytest.raises(ScheduleError, match=message):
        Schedule.recurring(every, zone)


async def test_recurring_broadcast_runs_each_occurrence_once(
    app: App, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 7, 20, tzinfo=UTC))
    await add_person(app, "Siti", address="1")
    b = await create(app, request(schedule=MONDAYS))
    tg = FakeSender(Channel.TELEGRAM, clock)
    w = worker(app, tg)
    clock.set(datetime(2026, 8, 3, 0, 59, tzinfo=UTC))
    await w.fire(b.id or 0)  # a little early: nothing
    assert await rows(app, "SELECT COUNT(*) FROM broadcast_runs") == [(0,)]
    for monday in range(3, 32, 7):
        clock.set(datetime(2026, 8, monday, 1, 0, tzinfo=UTC))
        await w.fire(b.id or 0)
        await w.fire(b.id or 0)
        await w.dispatcher.send_due()
    assert len(tg.accepted) == 5
    [(next_due,)] = await rows(app, "SELECT next_due_at FROM broadcasts")
    assert next_due == "2026-09-07T01:00:00+00:00"


async def test_late_start_within_grace_still_sends(app: App, clock: FakeClock) -> None:
    await add_person(app, "Siti", address="1")
    b = await create(app, request(schedule=Schedule.once("2026-11-21 12:00", "WITA")))
    clock.set(datetime(2026, 11, 21, 4, 50, tzinfo=UTC))  # 50 minutes late, grace is 60
    tg = FakeSender(Channel.TELEGRAM, clock)
    w = worker(app, tg)
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    assert len(tg.accepted) == 1
    assert await rows(app, "SELECT state FROM broadcasts") == [("completed",)]


async def test_missed_beyond_grace_is_recorded_and_staff_are_told(
    app: App, clock: FakeClock
) -> None:
    await add_person(app, "Siti", address="1")
    b = await create(app, request(schedule=Schedule.once("2026-11-21 12:00", "WITA")))
    clock.set(datetime(2026, 11, 21, 6, 0, tzinfo=UTC))  # two hours late
    tg = FakeSender(Channel.TELEGRAM, clock)
    w = worker(app, tg)
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    assert tg.calls == 0
    assert await rows(app, "SELECT state, note FROM broadcast_runs") == [("missed", "late")]
    assert await rows(app, "SELECT state FROM broadcasts") == [("completed",)]
    assert w.notifier.sent == ["broadcast.alert_missed"]
    async with app.db.reading() as conn:
        alerts = await BroadcastService(app.settings).alerts(conn, b.id or 0)
    assert [a.detail["alert"] for a in alerts] == ["broadcast.alert_missed"]
    assert await rows(app, "SELECT actor FROM audit_log WHERE action = 'broadcast.missed'") \
        == [("system",)]


async def test_occurrences_missed_while_down_are_coalesced(app: App, clock: FakeClock) -> None:
    clock.set(datetime(2026, 7, 20, tzinfo=UTC))
    await add_person(app, "Siti", address="1")
    b = await create(app, request(schedule=MONDAYS))
    clock.set(datetime(2026, 8, 24, 1, 30, tzinfo=UTC))  # down since before 3 August
    tg = FakeSender(Channel.TELEGRAM, clock)
    w = worker(app, tg)
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    assert len(tg.accepted) == 1  # once, for the latest occurrence, not four times
    assert await rows(app, "SELECT due_at, state FROM broadcast_runs") == \
        [("2026-08-24T01:00:00+00:00", "completed")]
    [(detail,)] = await rows(app, "SELECT detail FROM audit_log "
                                  "WHERE action = 'broadcast.occurrences_missed'")
    assert detail == '{"count": 3}'


async def test_occurrence_of_a_paused_broadcast_is_skipped(app: App, clock: FakeClock) -> None:
    clock.set(datetime(2026, 7, 20, tzinfo=UTC))
    await add_person(app, "Siti", address="1")
    b = await create(app, request(schedule=MONDAYS))
    async with app.db.transaction() as conn:
        await BroadcastService(app.settings).pause(conn, b.id or 0, "cli", clock.now())
    clock.set(datetime(2026, 8, 3, 1, 0, tzinfo=UTC))
    tg = FakeSender(Channel.TELEGRAM, clock)
    w = worker(app, tg)
    await w.fire(b.id or 0)
    await w.dispatcher.send_due()
    assert tg.calls == 0
    assert await rows(app, "SELECT state, note FROM broadcast_runs") == [("missed", "paused")]


async def test_scheduled_job_persists_across_restarts_and_fires_when_due(
    app: App, clock: FakeClock
) -> None:
    await add_person(app, "Siti", address="1")
    future = await create(app, request(schedule=Schedule.once("2030-01-07 09:00", "WITA")))
    tg = FakeSender(Channel.TELEGRAM, clock)
    async with worker(app, tg) as first:
        assert first.scheduler.jobs() == [
            (f"broadcast-{future.id}", datetime(2030, 1, 7, 9, 0, tzinfo=first_zone()))]
    # The job store: beside the SQLite file, or in the PostgreSQL database itself.
    assert query(jobs_path(app.settings.database_path), app.settings.database_url,
                 "SELECT id FROM apscheduler_jobs ORDER BY id") == [
        (f"broadcast-{future.id}",), ("retention-purge",)]
    # Created while no worker runs (e.g. by the CLI), due now: the next worker starts it.
    due = await create(app, request("Pengingat kedua untuk {nama}"))
    fired = asyncio.Event()
    second = worker(app, tg)
    original = second.fire

    async def fire(broadcast_id: int) -> None:
        await original(broadcast_id)
        fired.set()

    second.fire = fire  # type: ignore[method-assign]
    async with second:
        await asyncio.wait_for(fired.wait(), 10)
        assert [j for j, _ in second.scheduler.jobs()] == [f"broadcast-{future.id}"]
        await second.run_once()
    assert [m.text for _, m, _ in tg.accepted] == ["Pengingat kedua untuk Siti"]
    assert due.id


async def test_a_job_that_fell_due_while_down_runs_on_start(app: App, clock: FakeClock) -> None:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger

    from outreach.scheduler import fire_broadcast_job, job_id, job_store_url

    await add_person(app, "Siti", address="1")
    b = await create(app, request(schedule=Schedule.once("2026-11-21 11:30", "WITA")))
    async with app.db.transaction() as conn:  # the worker had already put it in the store
        await conn.execute("UPDATE broadcasts SET job_synced = 1")
    store = SQLAlchemyJobStore(url=job_store_url(app.settings.database_path,
                                                 app.settings.database_url))
    down = AsyncIOScheduler(jobstores={"default": store}, timezone=UTC)
    down.start(paused=True)
    down.add_job(fire_broadcast_job, DateTrigger(datetime.now(UTC) - timedelta(minutes=30)),
                 args=[str(app.settings.database_path.resolve()), b.id], id=job_id(b.id or 0),
                 misfire_grace_time=None, coalesce=True)  # as BroadcastScheduler stores them
    down.shutdown(wait=False)
    store.engine.dispose()
    clock.set(datetime(2026, 11, 21, 4, 0, tzinfo=UTC))  # 30 minutes late by our clock
    tg = FakeSender(Channel.TELEGRAM, clock)
    fired = asyncio.Event()
    w = worker(app, tg)
    original = w.fire

    async def fire(broadcast_id: int) -> None:
        await original(broadcast_id)
        fired.set()

    w.fire = fire  # type: ignore[method-assign]
    async with w:
        await asyncio.wait_for(fired.wait(), 10)
        await w.run_once()
    assert len(tg.accepted) == 1


async def test_only_one_worker_per_database(app: App, clock: FakeClock) -> None:
    tg = FakeSender(Channel.TELEGRAM, clock)
    async with worker(app, tg):
        with pytest.raises(WorkerBusy, match="sudah berjalan"):
            await worker(app, tg).start()
    async with worker(app, tg):  # released when the first stopped
        pass


def first_zone():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Makassar")
