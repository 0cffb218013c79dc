"""Several web processes on one PostgreSQL database, inside one test process: each stored reply
belongs to the process whose turn stored it; another process takes it over only once that one
is dead (its liveness lock is free), never a live one's; an owner taken for dead sends nothing
more of what it lost; replies to one chat leave in the order of their turns across processes.

The same processes as real child processes: tests/test_web_processes_crash.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.channels.dispatch import ReplyDispatcher, SharedWrites
from bot.channels.telegram.webhook import TelegramChannel
from bot.engine.engine import ReplyRoute
from bot.server.liveness import ProcessLiveness
from bot.server.media import MediaStore
from bot.server.tasks import BackgroundTasks
from core.clock import SystemClock
from core.messages import Channel, Image, Inbound, Reply
from core.sending import Outbound, SendReceipt
from core.settings import Settings, load_settings
from storage.repositories.processes import ProcessRepository, lock_name
from storage.repositories.reply_outbox import MarkRefused, QueuedReply, ReplyOutboxRepository
from tests.support.clock import FakeClock
from tests.support.server import running_server

PHONE = "+6281234567890"


@pytest.fixture
def pg_settings(tmp_path: Path, database_url: str | None) -> Settings:
    return load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                         database_url=database_url)


@pytest.fixture
async def pg_app(pg_settings: Settings) -> AsyncIterator[App]:
    async with open_app(pg_settings, SystemClock()) as app:
        yield app


postgres_only = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


class Recording:
    """A sender that records what it sent, in order, across dispatchers."""

    channel = Channel.WHATSAPP

    def __init__(self, sent: list[str]) -> None:
        self.sent = sent

    async def send(self, message: Outbound) -> SendReceipt:
        self.sent.append(message.text)
        return SendReceipt(f"SM{len(self.sent)}")


async def register(app: App) -> int:
    async with app.db.transaction() as conn:
        return await ProcessRepository().register(conn, "test", 1, app.deps.clock.now())


async def store(app: App, owner: int | None, *texts: str, turn: str | None = None,
                address: str = PHONE) -> list[QueuedReply]:
    queued, writes = ReplyOutboxRepository(owner).stage(
        Channel.WHATSAPP, address, turn or f"turn-{owner}-{texts}", [Reply(t) for t in texts],
        app.deps.clock.now())
    async with app.db.transaction():
        for write in writes:
            app.db.later(write)
    return queued


async def dead(app: App, process: int) -> bool:
    """Whether the process's lock is free, allowing the server a moment to end a session
    whose connection was just closed."""
    for _ in range(200):
        async with app.db.transaction() as conn:
            if await ProcessRepository().is_dead(conn, process):
                return True
        await asyncio.sleep(0.05)
    return False


async def owners(app: App) -> dict[int | None, int]:
    async with app.db.reading() as conn:
        return await ReplyOutboxRepository().owners(conn)


def dispatcher(app: App, sent: list[str], owner: int | None, **kwargs: object
               ) -> ReplyDispatcher:
    d = ReplyDispatcher(Recording(sent), app.db, app.deps.clock, **kwargs)  # type: ignore[arg-type]
    d.owner = owner
    return d


@postgres_only
async def test_a_live_process_keeps_its_replies_and_a_dead_ones_are_taken_over(
    pg_app: App
) -> None:
    alive, taker = await register(pg_app), await register(pg_app)
    await store(pg_app, alive, "satu", "dua")
    sent: list[str] = []
    mine = dispatcher(pg_app, sent, taker)
    async with pg_app.db.exclusive(lock_name(alive)) as held:
        assert held
        assert await mine.unsent() == []  # its owner is alive: not touched
        assert await owners(pg_app) == {alive: 2}
    # The owner's connection is gone (as after SIGKILL): its replies move, once.
    assert await dead(pg_app, alive)
    async with pg_app.db.exclusive(lock_name(taker)) as held:
        assert held
        [chat] = await mine.unsent()
        assert [(q.reply.text, q.owner) for q in chat] == [("satu", taker), ("dua", taker)]
        assert await mine.unsent() == []
        assert await dispatcher(pg_app, sent, await register(pg_app)).unsent() == []
        assert await mine.resume(chat)
    assert sent == ["satu", "dua"]
    assert await owners(pg_app) == {}


@postgres_only
async def test_rows_from_before_owners_are_taken_by_the_first_process_to_look(
    pg_app: App
) -> None:
    await store(pg_app, None, "lama")
    taker = await register(pg_app)
    [chat] = await dispatcher(pg_app, [], taker).unsent()
    assert chat[0].owner == taker


@postgres_only
async def test_an_owner_taken_for_dead_sends_nothing_it_lost(pg_app: App) -> None:
    """Its lock connection broke while it ran: another process took its replies over, so its
    own queued sends find the rows no longer theirs and stop (fenced by the owner)."""
    lost, taker = await register(pg_app), await register(pg_app)
    queued = await store(pg_app, lost, "satu", "dua")
    [chat] = await dispatcher(pg_app, [], taker).unsent()
    sent: list[str] = []
    assert not await dispatcher(pg_app, sent, lost).send_queued(queued)
    assert sent == []
    assert await owners(pg_app) == {taker: 2}  # nothing of the taker's was removed
    assert await dispatcher(pg_app, sent, taker).resume(chat)
    assert sent == ["satu", "dua"]


class NeverArrived:
    """A provider lookup that finds nothing (the reply in doubt never reached it)."""

    def __init__(self, events: list[str]) -> None:
        self.events = events

    async def find_reply(self, message: Outbound, since: datetime, after_sid: str | None,
                         claimed: set[str]) -> str | None:
        self.events.append(f"lookup {message.text}")
        return None


@postgres_only
async def test_a_reply_its_dead_owner_was_sending_is_looked_up_after_the_grace_and_first(
    pg_app: App
) -> None:
    """Marked moments ago, the provider call may still be on its way (the owner may only have
    lost its connection): it is looked up only once the grace has passed, and the chat's
    newer reply waits for it, so it cannot be mistaken for the one in doubt."""
    dead, taker = await register(pg_app), await register(pg_app)
    first, _ = await store(pg_app, dead, "satu", "dua")
    async with pg_app.db.transaction() as conn:
        assert await ReplyOutboxRepository().mark_sending(conn, first, pg_app.deps.clock.now(),
                                                          None)
    events: list[str] = []
    grace_over = asyncio.Event()

    async def grace_sleep(seconds: float) -> None:
        events.append(f"sleep {round(seconds)}")
        await grace_over.wait()

    sent: list[str] = []
    recovering = dispatcher(pg_app, sent, taker, sleep=grace_sleep,
                            lookup=NeverArrived(events), takeover_grace=30.0)
    [chat] = await recovering.unsent()
    assert [(q.reply.text, q.sending_at is not None) for q in chat] == [
        ("satu", True), ("dua", False)]
    resuming = asyncio.create_task(recovering.resume(chat))
    newer = await store(pg_app, taker, "baru")  # the person wrote again meanwhile
    waiting = asyncio.Event()

    async def noticing_sleep(seconds: float) -> None:
        waiting.set()
        await asyncio.sleep(seconds)

    later = asyncio.create_task(
        dispatcher(pg_app, sent, taker, sleep=noticing_sleep).send_queued(newer))
    await asyncio.wait_for(waiting.wait(), 30)
    assert sent == [] and events in (["sleep 30"], ["sleep 29"])
    grace_over.set()
    assert await asyncio.wait_for(resuming, 30)
    assert await asyncio.wait_for(later, 30)
    assert events[1:] == ["lookup satu"]
    assert sent == ["satu", "dua", "baru"]


@postgres_only
async def test_one_chats_replies_leave_in_turn_order_across_processes(pg_app: App) -> None:
    """Turn 1 was stored by process A, turn 2 (later) by process B: B's reply waits until
    A's has left, although B tries first."""
    a, b = await register(pg_app), await register(pg_app)
    first = await store(pg_app, a, "giliran 1")
    second = await store(pg_app, b, "giliran 2")
    sent: list[str] = []
    waiting = asyncio.Event()

    async def noticing_sleep(seconds: float) -> None:
        waiting.set()  # B was refused: an earlier reply to the chat is in A
        await asyncio.sleep(seconds)

    later = asyncio.create_task(
        dispatcher(pg_app, sent, b, sleep=noticing_sleep).send_queued(second))
    await asyncio.wait_for(waiting.wait(), 30)
    assert sent == []
    assert await dispatcher(pg_app, sent, a).send_queued(first)
    assert await asyncio.wait_for(later, 30)
    assert sent == ["giliran 1", "giliran 2"]


@postgres_only
async def test_the_wait_for_another_process_is_bounded(pg_app: App) -> None:
    a, b = await register(pg_app), await register(pg_app)
    await store(pg_app, a, "tertahan di A")
    second = await store(pg_app, b, "giliran 2")
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    sent: list[str] = []
    assert await dispatcher(pg_app, sent, b, sleep=no_sleep, order_wait=1.0).send_queued(second)
    assert sent == ["giliran 2"]
    assert 1.0 <= sum(slept) < 2.0


@postgres_only
async def test_liveness_registers_holds_and_takes_its_lock_back(pg_app: App) -> None:
    liveness = ProcessLiveness(pg_app.db, pg_app.deps.clock)
    me = await liveness.start()
    assert me is not None
    repo = ProcessRepository()
    async with pg_app.db.transaction() as conn:
        assert not await repo.is_dead(conn, me)
    # The lock's connection dies under the process (a network cut, a database restart).
    async with pg_app.db.transaction() as conn:
        await conn.execute(
            """SELECT pg_terminate_backend(l.pid) FROM pg_locks l
               WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
                 AND l.classid::bigint = (hashtext(current_schema())::bigint & 4294967295)
                 AND l.objid::bigint = (hashtext('spi:' || ?)::bigint & 4294967295)""",
            (lock_name(me),))
    assert await dead(pg_app, me)
    assert await liveness.check()  # taken again, same id
    async with pg_app.db.transaction() as conn:
        assert not await repo.is_dead(conn, me)
    await liveness.stop()
    assert await dead(pg_app, me)
    async with pg_app.db.transaction() as conn:
        assert me in await repo.listed(conn)
    async with pg_app.db.transaction() as conn:  # dead and owning nothing: forgotten
        assert await repo.forget_dead(conn, -1, pg_app.deps.clock.now() + timedelta(minutes=1))
        assert me not in await repo.listed(conn)


@postgres_only
async def test_the_server_stamps_its_turns_replies_and_lets_them_go_at_the_end(
    pg_app: App
) -> None:
    async with running_server(pg_app) as server:
        me = server.runtime.liveness.id
        assert me is not None
        health = (await server.http.get("/healthz")).json()
        assert health["process"] == me
        queued: list[QueuedReply] = []

        def keep(replies: list[QueuedReply]) -> None:
            queued.extend(replies)

        await pg_app.engine.handle(
            Inbound(channel=Channel.WHATSAPP, sender=PHONE, text="halo", provider_id="SM1",
                    sender_phone=PHONE), route=ReplyRoute(PHONE, keep))
        assert queued and {q.owner for q in queued} == {me}
        assert await owners(pg_app) == {me: len(queued)}
    assert await dead(pg_app, me)  # stopped: others may take over


@pytest.mark.both_backends
async def test_the_web_role_runs_no_broadcast_worker(app: App) -> None:
    async with running_server(app, broadcasts=False) as server:
        assert server.runtime.outreach.worker is None
        assert server.runtime.state["broadcasts"] == "off (spi-bot web)"
        health = (await server.http.get("/healthz")).json()
        assert health["status"] == "ok"
        assert (health["process"] is None) == (app.db.dialect == "sqlite")


@pytest.mark.both_backends
async def test_every_process_accepts_the_telegram_webhook_on_postgresql(
    tmp_path: Path, database_url: str | None
) -> None:
    """Each web process registers the webhook: without a configured secret they must agree on
    one (PostgreSQL); one process alone (SQLite) keeps a fresh random one per start."""
    settings = load_settings(_env_file=None, database_path=tmp_path / "bot.db",
                             database_url=database_url, telegram_bot_token="123456:TEST-token")
    async with open_app(settings, SystemClock()) as app:
        first = TelegramChannel(app, BackgroundTasks(), "Bagikan")
        second = TelegramChannel(app, BackgroundTasks(), "Bagikan")
        assert (first.secret == second.secret) == (database_url is not None)
        assert len(first.secret) >= 16


@pytest.mark.both_backends
async def test_a_picture_link_made_by_one_process_is_served_by_another(
    app: App, clock: FakeClock
) -> None:
    """Twilio fetches a WhatsApp picture through the reverse proxy, from any web process: on
    PostgreSQL the link lives in the database; on SQLite (one process) in its memory."""
    ttl = timedelta(minutes=15)
    making = MediaStore(clock, "https://bot.example", ttl, app.db)
    serving = MediaStore(clock, "https://bot.example", ttl, app.db)
    url = await making.publish(Image(b"\x89PNG-grafik"))
    token = url.rsplit("/", 1)[1]
    assert await making.get(token) == b"\x89PNG-grafik"
    assert (await serving.get(token) == b"\x89PNG-grafik") == (app.db.dialect == "postgresql")
    clock.advance(minutes=16)
    assert await making.get(token) is None
    await making.publish(Image(b"next"))  # expired pictures are dropped meanwhile
    if app.db.dialect == "postgresql":
        async with app.db.reading() as conn:
            rows = await conn.execute_fetchall("SELECT COUNT(*) AS n FROM media_links")
        assert rows[0]["n"] == 1


@postgres_only
async def test_reply_writes_arriving_together_share_a_transaction_and_fail_alone(
    pg_app: App
) -> None:
    """Marks and removals queued together share a transaction (the marks one statement);
    a failing write runs again alone and fails alone; each mark keeps its own checks."""
    owner = await register(pg_app)
    outbox = ReplyOutboxRepository(owner)
    shared = SharedWrites(pg_app.db, outbox)
    now = pg_app.deps.clock.now()
    chats = [await store(pg_app, owner, f"balasan {n}", turn=f"t{n}", address=f"+62811{n:07d}")
             for n in range(20)]
    second, *_ = await store(pg_app, owner, "nanti", turn="later", address="+628110000000")
    taken, *_ = await store(pg_app, owner + 1000, "punya lain", turn="other",
                            address="+628119999999")
    results = await asyncio.gather(
        *(shared.mark(chat[0], now, f"SM{n}", True) for n, chat in enumerate(chats)),
        shared.mark(second, now, None, True),  # reply 0 to that chat is still there
        shared.mark(replace(taken, owner=owner), now, None, True))
    assert results[:20] == [None] * 20
    assert results[20:] == [MarkRefused.WAIT, MarkRefused.TAKEN]
    failing = await asyncio.gather(
        *(shared.write(("INSERT INTO audit_log (at, actor, action) VALUES (?, ?, ?)",
                        ("2026-01-01T00:00:00+00:00", "test", f"w{n}"))) for n in range(19)),
        shared.write(("INSERT INTO no_such_table VALUES (?)", (1,))),
        return_exceptions=True)
    assert failing[:19] == [None] * 19
    assert isinstance(failing[19], Exception)
    async with pg_app.db.reading() as conn:
        rows = await conn.execute_fetchall(
            "SELECT turn, after_sid, sending_at, xmin::text AS tx FROM reply_outbox "
            "WHERE sending_at IS NOT NULL ORDER BY id")
        audit = await conn.execute_fetchall("SELECT COUNT(*) AS n FROM audit_log "
                                            "WHERE actor = 'test'")
    assert [(r["turn"], r["after_sid"]) for r in rows] == [(f"t{n}", f"SM{n}")
                                                            for n in range(20)]
    assert len({r["tx"] for r in rows}) < 20  # shared transactions
    assert audit[0]["n"] == 19  # the failing write took nobody with it
    await shared.write(outbox.remove(chats[0][0]))
    assert await shared.mark(second, now, None, True) is None  # its turn now
