"""Several `spi-bot broadcast worker` processes on one database (issue 14), real processes
against the loopback fake providers, PostgreSQL and Redis real servers.

- Three workers killed with SIGKILL at random moments (and restarted) leave every recipient
  with exactly one message (or reported unknown, never two). On PostgreSQL the three send
  side by side; on SQLite one sends and the others wait (`--standby`), as before.
- A killed scheduler (the leader) is replaced; every occurrence fires once, none twice.
- Two workers together never let a sender exceed its rate in any rolling second, measured
  at the fake provider's receive times.

Bounded: each wait has a deadline; kill points come from seeded random generators.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app import open_app
from core.clock import to_text
from core.messages import Channel
from core.settings import load_settings
from outreach.audience import AudienceFilter
from outreach.dispatcher import DispatchConfig
from outreach.schedule import Schedule
from outreach.service import BroadcastRequest, BroadcastService
from outreach.worker import OutreachWorker
from storage.states import ScheduleKind
from tests.support.postgres import query
from tests.support.processes import provider_fakes, wait_until
from tests.test_broadcast_crash import (
    SPI_BOT,
    TELEGRAM,
    WHATSAPP,
    accepted,
    seed,
    stats,
    worker_env,
)
from tests.test_shared_limit import SLACK, most_in_any_window

KILLS = 6
TEXT = "Halo {nama}, survei SPI resmi hanya dari spi.kpk.go.id"


@pytest.fixture
def fakes() -> Iterator[dict[str, str]]:
    with provider_fakes() as info:
        yield info


def times(base: str) -> dict[str, list[float]]:
    root = base.removesuffix("/bot")
    with urllib.request.urlopen(f"{root}/_stats?times=1", timeout=5) as answer:  # noqa: S310
        return dict(json.loads(answer.read())["times"])


# What a worker logs once it runs (sending, or waiting its turn on SQLite).
READY = ("Pengirim siaran berjalan", "menunggu untuk mengambil alih")


class Workers:
    """`spi-bot broadcast worker --standby` processes, started, killed and stopped. Each one
    logs to its own file (kept for a failing run), which also says when it is up: on a busy
    machine starting takes seconds, and a process killed before that proves nothing."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd, self.env = cwd, env | {"SPI_LOG_LEVEL": "INFO"}
        self.procs: list[subprocess.Popen[bytes]] = []
        self._logs: dict[int, Path] = {}

    def start(self) -> subprocess.Popen[bytes]:
        log = self.cwd / f"worker-{len(self.procs) + 1}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([SPI_BOT, "broadcast", "worker", "--standby"],
                                    cwd=self.cwd, env=self.env, stderr=out)
        self.procs.append(proc)
        self._logs[proc.pid] = log
        return proc

    def ready(self, proc: subprocess.Popen[bytes]) -> bool:
        text = self._logs[proc.pid].read_text("utf-8", errors="replace")
        return proc.poll() is None and any(marker in text for marker in READY)

    def all_ready(self) -> bool:
        """Every live worker is up (and one at least lives)."""
        live = [p for p in self.procs if p.poll() is None]
        return bool(live) and all(self.ready(p) for p in live)

    def kill(self, proc: subprocess.Popen[bytes]) -> bool:
        """SIGKILL; False when it had already ended."""
        alive = proc.poll() is None
        if alive:
            proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        return alive

    def stop_all(self) -> list[int | None]:
        """SIGTERM to every live worker, once each is up; their exit codes."""
        wait_until(self.all_ready, 60)
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        return [proc.wait(30) for proc in self.procs if proc.returncode != -signal.SIGKILL]


def create_cli(cwd: Path, env: dict[str, str], text: str = TEXT) -> None:
    created = subprocess.run([SPI_BOT, "broadcast", "create", "--text", text, "--force",
                              "--yes"], cwd=cwd, env=env, capture_output=True, text=True,
                             timeout=60, check=False)
    assert created.returncode == 0, created.stdout + created.stderr


def settled(database: Path, url: str | None) -> int:
    return int(query(database, url, "SELECT COUNT(*) FROM deliveries WHERE state NOT IN "
                                    "('pending', 'sending')")[0][0])


def worker_ids_that_sent(database: Path, url: str | None) -> set[int | None]:
    return {row[0] for row in query(database, url, "SELECT DISTINCT worker_id FROM deliveries "
                                                   "WHERE state = 'sent'")}


@pytest.mark.both_backends
def test_three_workers_killed_at_random_never_send_anyone_twice(
    tmp_path: Path, fakes: dict[str, str], database_url: str | None,
    redis_env: dict[str, str],
) -> None:
    database = tmp_path / "bot.db"
    asyncio.run(seed(database, database_url))
    env = worker_env(database, database_url, fakes) | redis_env | {
        "SPI_BROADCAST_TAKEOVER_SECONDS": "1"}
    rng = random.Random(20261122)
    workers = Workers(tmp_path, env)
    running = [workers.start() for _ in range(3)]
    kills = 0
    try:
        assert wait_until(workers.all_ready, 120)  # all three there before it starts
        create_cli(tmp_path, env)
        for _ in range(KILLS):
            target = accepted(fakes) + rng.randint(3, 30)
            wait_until(lambda t=target: accepted(fakes) >= t, 60)
            time.sleep(rng.uniform(0, 0.03))  # anywhere inside a group
            up = [i for i, proc in enumerate(running) if workers.ready(proc)]
            victim = rng.choice(up or [0])
            kills += workers.kill(running[victim])
            running[victim] = workers.start()
        assert accepted(fakes) < WHATSAPP + TELEGRAM  # the kills landed mid-broadcast
        assert wait_until(lambda: settled(database, database_url) == WHATSAPP + TELEGRAM, 90)
    finally:
        codes = workers.stop_all()
    assert codes == [0] * len(codes)
    assert kills == KILLS
    twilio, telegram = stats(fakes["twilio"]), stats(fakes["telegram"])
    assert twilio["duplicates"] == 0 and telegram["duplicates"] == 0
    rows = query(database, database_url, "SELECT channel, address, state FROM deliveries")
    assert len(rows) == WHATSAPP + TELEGRAM
    for channel, address, state in rows:
        if channel == "whatsapp":  # looked up at Twilio: exactly once, always
            assert (state, twilio["counts"].get(f"whatsapp:{address}")) == ("sent", 1)
        else:  # Telegram cannot be asked: sent once, or unknown (once or not at all)
            count = telegram["counts"].get(address, 0)
            assert (state, count) in {("sent", 1), ("unknown", 1), ("unknown", 0)}
    unknown = sum(1 for _, _, state in rows if state == "unknown")
    assert unknown <= kills * DispatchConfig().blind_group
    senders = worker_ids_that_sent(database, database_url)
    if database_url:
        assert len(senders) >= 3, senders  # side by side (and each restart is a new worker)
    else:
        assert senders == {None}  # SQLite: one worker at a time, as before
    print(f"\nthree workers: {kills} kills; WhatsApp {WHATSAPP} sent exactly once; Telegram "
          f"{TELEGRAM - unknown} sent once, {unknown} reported unknown; "
          f"{len(senders)} worker ids sent")


def leader_pid(url: str) -> int | None:
    """The process id of the worker holding the scheduler's lock."""
    rows = query(Path(), url, """
        SELECT w.pid FROM pg_locks l
        JOIN pg_stat_activity a ON a.pid = l.pid
        JOIN broadcast_workers w ON a.application_name = 'spi-worker-' || w.id
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
          AND l.classid = hashtext(current_schema())::oid
          AND l.objid = hashtext('spi:scheduler')::oid""")
    return int(rows[0][0]) if rows else None


async def schedule_once(database: Path, url: str, moments: list[datetime]) -> list[int]:
    """Broadcasts to everybody, each once at one of `moments` (to the second)."""
    settings = load_settings(_env_file=None, database_path=database, database_url=url)
    service = BroadcastService(settings)
    ids = []
    async with open_app(settings) as app:
        for i, moment in enumerate(moments):
            request = BroadcastRequest(
                text=f"Pengingat {i + 1} untuk {{nama}}: survei SPI di spi.kpk.go.id",
                audience=AudienceFilter(),
                schedule=Schedule(ScheduleKind.ONCE, "Asia/Jakarta", run_at=moment))
            async with app.db.transaction() as conn:
                created, _ = await service.create(conn, request, "cli", datetime.now(UTC),
                                                  force=True)
            assert created.id is not None
            ids.append(created.id)
    return ids


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_killed_scheduler_is_replaced_and_no_occurrence_fires_twice(
    tmp_path: Path, fakes: dict[str, str], database_url: str, redis_env: dict[str, str],
) -> None:
    """Three workers; the one scheduling is killed around each due time (just before, at,
    just after) and restarted. Another takes over; each broadcast starts exactly once and
    everybody gets each one once."""
    database = tmp_path / "bot.db"
    asyncio.run(seed(database, database_url))
    env = worker_env(database, database_url, fakes) | redis_env | {
        "SPI_BROADCAST_TAKEOVER_SECONDS": "1", "SPI_BROADCAST_CAP_PER_WEEK": "0",
        "SPI_BROADCAST_CAP_PER_SEASON": "0",
        "SPI_BROADCAST_WHATSAPP_RATE": "400", "SPI_BROADCAST_TELEGRAM_RATE": "200"}
    workers = Workers(tmp_path, env)
    running = [workers.start() for _ in range(3)]
    rng = random.Random(7)
    offsets = [-0.7, 0.0, 0.3, 1.2]  # the kill, relative to each due time
    leaders: list[int] = []
    try:
        assert wait_until(lambda: leader_pid(database_url) is not None, 60)
        start = datetime.now(UTC) + timedelta(seconds=6)
        moments = [start + timedelta(seconds=5 * i) for i in range(len(offsets))]
        ids = asyncio.run(schedule_once(database, database_url, moments))
        for moment, offset in zip(moments, offsets, strict=True):
            kill_at = moment + timedelta(seconds=offset + rng.uniform(-0.1, 0.1))
            time.sleep(max(0.0, (kill_at - datetime.now(UTC)).total_seconds()))
            pid = leader_pid(database_url)
            assert pid is not None
            leaders.append(pid)
            victim = next(i for i, p in enumerate(running) if p.pid == pid)
            assert workers.kill(running[victim])
            running[victim] = workers.start()
            # Replaced within seconds by one of the survivors (or the restarted one).
            assert wait_until(lambda p=pid: leader_pid(database_url) not in (None, p), 30)
        total = WHATSAPP + TELEGRAM
        assert wait_until(lambda: settled(database, database_url) == total * len(ids), 120)
    finally:
        codes = workers.stop_all()
    assert codes == [0] * len(codes)
    assert len(set(leaders)) == len(leaders)  # a different leader was killed each time
    runs = query(database, database_url,
                 "SELECT broadcast_id, state, total FROM broadcast_runs ORDER BY broadcast_id")
    assert runs == [(bid, "completed", WHATSAPP + TELEGRAM) for bid in ids]
    started = query(database, database_url, "SELECT subject, COUNT(*) FROM audit_log WHERE "
                                            "action = 'broadcast.started' GROUP BY subject")
    assert sorted(started) == sorted((f"broadcast:{bid}", 1) for bid in ids)
    twilio, telegram = stats(fakes["twilio"]), stats(fakes["telegram"])
    assert set(twilio["counts"].values()) == {len(ids)}  # looked up: exactly once per broadcast
    assert len(twilio["counts"]) == WHATSAPP
    assert max(telegram["counts"].values()) <= len(ids)  # never twice
    assert twilio["refused_429"] == 0


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_workers_never_exceed_a_senders_rate_in_any_second(
    tmp_path: Path, database_url: str, redis_env: dict[str, str], fakes: dict[str, str],
) -> None:
    """Measured where it counts, at the provider: the send requests' arrival times, per
    sender, in any rolling second (a little shorter, for the clocks' granularity)."""
    info = fakes
    database = tmp_path / "bot.db"
    asyncio.run(seed(database, database_url))
    rates = {"whatsapp": 20, "telegram": 10}
    env = worker_env(database, database_url, info) | redis_env | {
        "SPI_BROADCAST_WHATSAPP_RATE": str(rates["whatsapp"]),
        "SPI_BROADCAST_TELEGRAM_RATE": str(rates["telegram"])}
    workers = Workers(tmp_path, env)
    for _ in range(2):
        workers.start()
    try:
        assert wait_until(workers.all_ready, 120)  # both there before it starts
        create_cli(tmp_path, env)
        assert wait_until(lambda: settled(database, database_url)
                          == WHATSAPP + TELEGRAM, 120)
    finally:
        codes = workers.stop_all()
    assert codes == [0, 0]
    arrived: dict[str, Any] = {"whatsapp": times(info["twilio"]),
                               "telegram": times(info["telegram"])}
    assert len(worker_ids_that_sent(database, database_url)) == 2  # both sent
    for channel, per_sender in arrived.items():
        assert len(per_sender) == 1  # one WhatsApp number, one bot
        sends = next(iter(per_sender.values()))
        assert len(sends) == (WHATSAPP if channel == "whatsapp" else TELEGRAM)
        most = most_in_any_window(sends, 1.0 - SLACK)
        assert most <= rates[channel], (channel, most)
        print(f"\n{channel}: {len(sends)} sends, at most {most} in any "
              f"{1 - SLACK:.2f} s (limit {rates[channel]}/s)")


async def in_flight(app: Any, worker_id: int, address: str) -> int:
    """A running broadcast with one delivery that `worker_id` marked `sending` just now."""
    stamp = to_text(datetime.now(UTC))
    async with app.db.transaction() as conn:
        respondent = (await (await conn.execute(
            "SELECT respondent_id FROM channel_identities WHERE address = ?",
            (address,))).fetchone())[0]
        bid = (await (await conn.execute(
            """INSERT INTO broadcasts (text, audience, schedule_kind, run_at, timezone, state,
                   dedupe_hash, created_by, job_synced, created_at, updated_at)
               VALUES ('Halo {nama}', '{}', 'now', ?, 'Asia/Makassar', 'active', ?, 'cli', 1,
                       ?, ?) RETURNING id""", (stamp, address, stamp, stamp))).fetchone())[0]
        run = (await (await conn.execute(
            """INSERT INTO broadcast_runs (broadcast_id, due_at, state, total, started_at,
                   created_at, updated_at) VALUES (?, ?, 'running', 1, ?, ?, ?) RETURNING id""",
            (bid, stamp, stamp, stamp, stamp))).fetchone())[0]
        cur = await conn.execute(
            """INSERT INTO deliveries (run_id, broadcast_id, position, respondent_id, channel,
                   address, timezone, state, attempts, next_attempt_at, sending_at, worker_id,
                   updated_at)
               VALUES (?, ?, 1, ?, 'whatsapp', ?, 'Asia/Makassar', 'sending', 1, ?, ?, ?, ?)
               RETURNING id""", (run, bid, respondent, address, stamp, stamp, worker_id, stamp))
        return int((await cur.fetchone())[0])


async def delivery(app: Any, delivery_id: int) -> tuple[str, int | None]:
    async with app.db.reading() as conn, conn.execute(
            "SELECT state, worker_id FROM deliveries WHERE id = ?", (delivery_id,)) as cur:
        row = await cur.fetchone()
    return str(row[0]), row[1]


async def eventually(condition: Any, within: float = 60.0) -> None:
    """Poll (the workers change the database from their own tasks), bounded."""
    async with asyncio.timeout(within):
        while not await condition():  # noqa: ASYNC110 - nothing here to wait on instead
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_only_dead_workers_deliveries_are_taken_over(
    tmp_path: Path, database_url: str, redis_env: dict[str, str],
) -> None:
    """Two workers A and B in one process. A delivery in flight of a worker that is gone is
    taken over and looked up (then sent once); B's delivery in flight is left alone while B
    lives. When B's database session is cut (B lives on), B stops, joins again under a new
    id, and its old delivery is taken over like any dead worker's."""
    from core.clock import SystemClock
    from tests.support.outreach import LookupFakeSender, add_person

    settings = load_settings(
        _env_file=None, database_path=tmp_path / "bot.db", database_url=database_url,
        redis_url=redis_env["SPI_REDIS_URL"], redis_key_prefix=redis_env["SPI_REDIS_KEY_PREFIX"],
        broadcast_takeover_seconds=0.5, broadcast_quiet_start="00:00",
        broadcast_quiet_end="00:00")
    clock = SystemClock()
    async with open_app(settings, clock) as app:
        addresses = [(await add_person(app, f"Orang {i}", channel="whatsapp",
                                       last_inbound_at=clock.now()))[1] for i in range(2)]
        sender = LookupFakeSender(Channel.WHATSAPP, clock)  # type: ignore[arg-type]
        a = OutreachWorker(app.db, settings, app.deps.catalog, clock, {"whatsapp": sender},
                           limiters={})
        b = OutreachWorker(app.db, settings, app.deps.catalog, clock, {"whatsapp": sender},
                           limiters={})
        async with a, b:
            assert a.together and b.together and a.worker_id != b.worker_id
            assert a.leading != b.leading  # exactly one schedules
            assert b.worker_id is not None
            gone = await in_flight(app, 999_999, addresses[0])  # never alive
            kept = await in_flight(app, b.worker_id, addresses[1])

            async def taken_over() -> bool:
                return (await delivery(app, gone))[0] == "sent"

            await eventually(taken_over)
            assert sender.per_address()[addresses[0]] == 1
            assert sender.lookups >= 1  # asked first: the provider had nothing, sent once
            assert await delivery(app, kept) == ("sending", b.worker_id)

            old = b.worker_id
            async with app.db.reading() as conn:
                await conn.execute_fetchall(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = ?", (f"spi-worker-{old}",))

            async def rejoined() -> bool:
                return b.worker_id not in (None, old)

            await eventually(rejoined)

            async def resolved() -> bool:
                return (await delivery(app, kept))[0] == "sent"

            await eventually(resolved)
            assert sender.per_address()[addresses[1]] == 1
            assert a.leading != b.leading


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
async def test_workers_racing_fire_send_and_complete_each_thing_once(app: Any) -> None:
    """Three dispatchers on one database at once (as three processes would be): the occurrence
    is fired once whoever fires it, each delivery is sent once (claims skip each other's rows),
    the run completes once (one audit row, one alert), and a cancel racing the sends leaves
    nothing pending."""
    from tests.support.outreach import FakeSender, add_person, create, request, rows, worker

    for i in range(60):
        await add_person(app, f"Orang {i}", address=str(1000 + i))

    halfway = asyncio.Event()

    class SlowSender(FakeSender):
        async def send(self, message: Any) -> Any:
            await asyncio.sleep(0.002)  # the others' claims interleave with these sends
            if self.calls >= 60 + 10:
                halfway.set()
            return await FakeSender.send(self, message)

    sender = SlowSender(Channel.TELEGRAM, app.deps.clock)
    app.settings.broadcast_cap_per_week = 0  # the second broadcast goes to the same people
    workers = [worker(app, sender) for _ in range(3)]

    async def everyone_alive() -> set[int]:
        return {1, 2, 3}

    for number, w in enumerate(workers, start=1):
        w.dispatcher.join(number, everyone_alive)
    first = await create(app, request())
    await asyncio.gather(*(w.fire(first.id or 0) for w in workers))
    while await asyncio.gather(*(w.dispatcher.send_due() for w in workers)) != [None] * 3:
        pass
    assert await rows(app, "SELECT state FROM broadcast_runs") == [("completed",)]
    assert sender.per_address() == {str(1000 + i): 1 for i in range(60)}
    senders = await rows(app, "SELECT DISTINCT worker_id FROM deliveries")
    assert len(senders) >= 2, senders  # side by side, not one after another
    assert await rows(app, "SELECT COUNT(*) FROM audit_log WHERE action = "
                           "'broadcast.run_completed'") == [(1,)]

    second = await create(app, request("Pengingat kedua untuk {nama}"), force=True)
    await asyncio.gather(*(w.fire(second.id or 0) for w in workers))
    service = BroadcastService(app.settings)

    async def cancel_soon() -> None:
        await halfway.wait()
        async with app.db.transaction() as conn:
            await service.cancel(conn, second.id or 0, "cli", app.deps.clock.now())

    await asyncio.gather(cancel_soon(), *(w.dispatcher.send_due() for w in workers))
    states = dict(await rows(app, "SELECT state, COUNT(*) FROM deliveries WHERE broadcast_id = "
                                  "? GROUP BY state", second.id))
    assert set(states) == {"sent", "skipped"}, states  # none left pending or in flight
    assert await rows(app, "SELECT state FROM broadcast_runs WHERE broadcast_id = ?",
                      second.id) == [("cancelled",)]


@pytest.mark.both_backends
async def test_a_group_claimed_as_staff_cancel_is_skipped_not_queued_again(app: Any) -> None:
    """The narrow race the test above may miss: a group is claimed (marked `sending`), staff
    cancel before any of it reaches the provider, the worker gives the group back: its
    deliveries end skipped like the rest, not pending in a cancelled run."""
    from outreach.bursts import Lane
    from tests.support.outreach import FakeSender, add_person, create, request, rows, worker

    for i in range(4):
        await add_person(app, f"Orang {i}", address=str(2000 + i))
    w = worker(app, FakeSender(Channel.TELEGRAM, app.deps.clock))
    b = await create(app, request())
    await w.fire(b.id or 0)
    async with app.db.reading() as conn:
        run = (await w.dispatcher._broadcasts.sendable_runs(conn))[0]
    claim = await w.dispatcher._claim(Lane(run, b, "telegram"), ["Asia/Makassar"], set(), 2)
    assert claim is not None
    async with app.db.transaction() as conn:
        await BroadcastService(app.settings).cancel(conn, b.id or 0, "cli", app.deps.clock.now())
    await w.dispatcher._release(claim[1])
    assert await rows(app, "SELECT state, reason, COUNT(*) FROM deliveries GROUP BY state, "
                           "reason") == [("skipped", "cancelled", 4)]
