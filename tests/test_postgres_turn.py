"""What a turn costs on PostgreSQL (round trips) and what the shortcuts must keep: statements
sent together run in order, each seeing the ones before it; a lock sent ahead of a read is
waited for before the read takes its snapshot; a write sent with the next statement is part of
the transaction all the same."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any, cast

import psycopg
import pytest

from bot.app import App
from bot.server.housekeeping import Housekeeping
from core.messages import Channel, Inbound
from storage import postgres
from storage.connection import fetch_together, lock_until_commit, write_soon
from storage.postgres import PgConnection
from storage.repositories.conversations import claim_and_snapshot
from storage.repositories.inbound import InboundRepository
from storage.repositories.outbound import OutboundMessageRepository
from tests.support.clock import FakeClock

both = pytest.mark.both_backends
postgresql_only = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@both
async def test_statements_sent_together_run_in_order_and_see_each_other(app: App) -> None:
    async with app.db.transaction() as conn:
        results = await fetch_together(conn, [
            ("INSERT INTO processed_inbound VALUES ('t', 'a', '2026-01-01')", ()),
            ("INSERT INTO processed_inbound VALUES (?, ?, ?) ON CONFLICT DO NOTHING "
             "RETURNING provider_id", ("t", "b", "2026-01-01")),
            ("SELECT provider_id FROM processed_inbound WHERE channel = ? ORDER BY 1", ("t",)),
        ])
    assert [[tuple(row) for row in rows] for rows in results] == [
        [], [("b",)], [("a",), ("b",)]]


@both
async def test_a_write_sent_later_is_seen_by_the_next_read_and_rolled_back_with_the_rest(
    app: App
) -> None:
    async with app.db.transaction() as conn:
        await write_soon(conn, "INSERT INTO processed_inbound VALUES (?, ?, ?)",
                         ("t", "a", "2026-01-01"))
        rows = await conn.execute_fetchall("SELECT COUNT(*) FROM processed_inbound")
        assert next(iter(rows))[0] == 1
    with pytest.raises(Exception, match=r"(?i)unique|duplicate"):
        async with app.db.transaction() as conn:
            await write_soon(conn, "INSERT INTO processed_inbound VALUES (?, ?, ?)",
                             ("t", "b", "2026-01-01"))
            await write_soon(conn, "INSERT INTO processed_inbound VALUES (?, ?, ?)",
                             ("t", "a", "2026-01-01"))  # fails at the commit
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT provider_id FROM processed_inbound")
    assert [tuple(row) for row in rows] == [("a",)]


@postgresql_only
async def test_a_read_sent_after_a_lock_sees_what_the_holder_committed_while_it_waited(
    app: App
) -> None:
    holder_locked, reader_waiting = asyncio.Event(), asyncio.Event()

    async def holder() -> None:
        async with app.db.transaction() as conn:
            lock_until_commit(conn, "key")
            await conn.execute("INSERT INTO processed_inbound VALUES ('t', 'a', '2026-01-01')")
            holder_locked.set()
            await reader_waiting.wait()
            await asyncio.sleep(0.2)  # the reader is blocked on the lock meanwhile

    async def reader() -> list[Any]:
        await holder_locked.wait()
        async with app.db.transaction() as conn:
            lock_until_commit(conn, "key")
            reader_waiting.set()
            (rows,) = await fetch_together(
                conn, [("SELECT provider_id FROM processed_inbound", ())])
            return [tuple(row) for row in rows]

    _, seen = await asyncio.gather(holder(), reader())
    assert seen == [("a",)]


@postgresql_only
async def test_a_turn_opening_waits_for_the_sender_and_sees_its_previous_turn(app: App) -> None:
    """spi_turn_open (migration 0024) reads the conversation after the sender's lock was
    granted, so it sees the turn that committed while it waited; and the id claim is there."""
    holder_locked, opener_waiting = asyncio.Event(), asyncio.Event()
    key = ("whatsapp", "+6281200000001")

    async def holder() -> None:
        async with app.db.transaction() as conn:
            lock_until_commit(conn, ":".join(key))
            await conn.execute("INSERT INTO sessions VALUES (?, ?, 'reg:name', '{}', 'id', "
                               "'2026-01-01T00:00:00+00:00')", key)
            holder_locked.set()
            await opener_waiting.wait()
            await asyncio.sleep(0.2)  # the opener is blocked on the lock meanwhile

    async def opener() -> Any:
        await holder_locked.wait()
        async with app.db.transaction() as conn:
            opened = asyncio.create_task(claim_and_snapshot(
                conn, *key, "id", provider_id="SM1", now=FakeClock().now(), lock=":".join(key)))
            await asyncio.sleep(0.05)
            opener_waiting.set()
            return await opened

    _, opening = await asyncio.gather(holder(), opener())
    assert opening is not None and opening.stored and opening.session.state == "reg:name"
    async with app.db.transaction() as conn:
        again = await claim_and_snapshot(conn, *key, "id", provider_id="SM1",
                                         now=FakeClock().now(), lock=":".join(key))
    assert again is None  # a redelivery


class Queries:
    """Every query sent on the pool's connections, COMMIT included; `EXECUTE name`
    of a statement prepared earlier is shown as `EXECUTE name [the statement]`."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def texts(self) -> list[str]:
        sent, self.sent = self.sent, []
        statements = {name: query for (query, _), name in postgres._NAMES.items()}
        return [re.sub(r"EXECUTE (spi_\d+)", lambda m: f"{m[0]} [{statements[m[1]]}]", text)
                for text in sent]


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[Queries]:
    spy = Queries()
    send = PgConnection._send
    execute, executemany = psycopg.AsyncCursor.execute, psycopg.AsyncCursor.executemany
    commit = psycopg.AsyncConnection.commit

    async def spy_send(self: PgConnection, parts: list[str]) -> Any:
        spy.sent.append("\n;\n".join(parts))
        return await send(self, parts)

    async def spy_execute(self: Any, query: Any, params: Any = None, **kw: Any) -> Any:
        spy.sent.append(str(query))
        return await execute(self, query, params, **kw)

    async def spy_executemany(self: Any, query: Any, params: Any, **kw: Any) -> Any:
        spy.sent.append(str(query))
        return await executemany(self, query, params, **kw)

    async def spy_commit(self: Any) -> None:
        if self.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            spy.sent.append("COMMIT")
        await commit(self)

    monkeypatch.setattr(PgConnection, "_send", spy_send)
    monkeypatch.setattr(psycopg.AsyncCursor, "execute", spy_execute)
    monkeypatch.setattr(psycopg.AsyncCursor, "executemany", spy_executemany)
    monkeypatch.setattr(psycopg.AsyncConnection, "commit", spy_commit)
    yield spy


@postgresql_only
async def test_a_conversation_turn_is_two_round_trips(app: App, queries: Queries) -> None:
    def message(text: str, n: int) -> Inbound:
        return Inbound(Channel.WHATSAPP, "+6281234567890", text, provider_id=f"SM{n}",
                       sender_phone="+6281234567890")

    await app.engine.handle(message("DAFTAR RSUD", 1))
    queries.texts()
    await app.engine.handle(message("1", 2))  # consent: a step that reads nothing else
    sent = queries.texts()
    assert len(sent) == 2, sent
    opening, closing = sent
    assert opening.startswith("BEGIN") and "spi_turn_open(" in opening  # lock, claim, read
    assert "UPDATE sessions" in closing and closing.rstrip().endswith("COMMIT")
    await app.engine.handle(message("1", 2))  # a redelivery this process handled: no query
    assert queries.texts() == []


@postgresql_only
async def test_transactions_and_reads_cost_no_round_trip_of_their_own(
    app: App, queries: Queries
) -> None:
    async with app.db.transaction():
        pass
    assert queries.texts() == []
    async with app.db.transaction():
        app.db.later(("INSERT INTO processed_inbound VALUES (?, ?, ?)", ("t", "a", "x")))
        app.db.later(("INSERT INTO processed_inbound VALUES (?, ?, ?)", ("t", "b", "x")))
    (sent,) = queries.texts()
    assert sent.startswith("BEGIN") and sent.count("EXECUTE") == 2 and sent.endswith("COMMIT")
    async with app.db.reading() as conn:
        await conn.execute_fetchall("SELECT COUNT(*) FROM processed_inbound")
    assert len(queries.texts()) == 1  # no BEGIN, no ROLLBACK around it


@both
async def test_the_hourly_prune_of_processed_ids_runs_on_both_backends(
    app: App, clock: FakeClock
) -> None:
    async with app.db.transaction() as conn:
        await InboundRepository().mark_processed(conn, "whatsapp", "SM-old", clock.now())
    clock.advance(days=8)
    async with app.db.transaction() as conn:
        await InboundRepository().mark_processed(conn, "whatsapp", "SM-new", clock.now())
    assert await Housekeeping(app).prune_processed_ids() == 1
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT provider_id FROM processed_inbound")
    assert [tuple(row) for row in rows] == [("SM-new",)]


@postgresql_only
async def test_a_statement_is_prepared_once_per_connection_then_executed_by_name(
    app: App, queries: Queries
) -> None:
    sql = "SELECT provider_id FROM processed_inbound WHERE channel = ? AND provider_id = ?"
    async with app.db.transaction() as conn:
        first_raw = cast(PgConnection, conn).raw
        assert await conn.execute_fetchall(sql, ("t", "a")) == []
        await write_soon(conn, "INSERT INTO processed_inbound VALUES (?, ?, ?)",
                         ("t", "a", "x"))
        rows = await conn.execute_fetchall(sql, ("t", "a"))
        assert [tuple(row) for row in rows] == [("a",)]
    first, second, _ = queries.texts()
    assert "PREPARE" in first and "PREPARE" in second  # the INSERT's, sent with the read
    assert second.count("PREPARE") == 1
    for _ in range(app.settings.database_pool_size):  # the pool hands its connections round
        async with app.db.transaction() as conn:
            await conn.execute_fetchall(sql, ("t", "b"))
            again = cast(PgConnection, conn).raw is first_raw
        text, commit = queries.texts()
        assert ("PREPARE" in text) is not again and commit == "COMMIT"
        if again:
            break
    assert again


@postgresql_only
async def test_values_keep_their_value_through_literals(app: App) -> None:
    texts = ["it's", "back\\slash \\' ''", "emoji 😀 ✓", "", "%s %(x)s $1 ?", "-- no comment"]
    async with app.db.transaction() as conn:
        for n, text in enumerate(texts):
            await conn.execute("INSERT INTO processed_inbound VALUES (?, ?, ?)",
                               ("lit", str(n), text))
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall(
            "SELECT processed_at FROM processed_inbound WHERE channel = ? "
            "ORDER BY provider_id::int", ("lit",))
        values = await conn.execute_fetchall(
            "SELECT ?1 + 1, ?2 * 2, ?3, COALESCE(?4, 'none'), ?5 = 1", (2**62, 1.25, "x", None,
                                                                        True))
    assert [row[0] for row in rows] == texts
    assert tuple(values[0]) == (2**62 + 1, 2.5, "x", "none", True)
    with pytest.raises(psycopg.DataError):  # PostgreSQL text cannot hold a NUL
        async with app.db.reading() as conn:
            await conn.execute_fetchall("SELECT ?", ("a\x00b",))


@postgresql_only
async def test_a_connection_whose_prepared_statements_are_in_doubt_starts_over(
    app: App
) -> None:
    """An error leaves unknown which PREPAREs of its text ran (here the failing statement's
    own did): the connection's next text starts with DEALLOCATE ALL and prepares again."""
    sql = "SELECT COUNT(*) FROM processed_inbound WHERE channel = ?"
    for _ in range(3):
        with pytest.raises(psycopg.errors.DivisionByZero):
            async with app.db.transaction() as conn:
                await conn.execute_fetchall(sql, ("t",))
                await conn.execute_fetchall("SELECT 1 / (COUNT(*) - COUNT(*)) FROM "
                                            "processed_inbound WHERE channel = ?", ("t",))
        async with app.db.transaction() as conn:
            assert next(iter(await conn.execute_fetchall(sql, ("t",))))[0] == 0


@postgresql_only
async def test_a_statement_postgresql_cannot_type_falls_back_to_literals(app: App) -> None:
    sql = "SELECT ? IS NULL AS missing"
    with pytest.raises(psycopg.errors.IndeterminateDatatype):
        async with app.db.reading() as conn:
            await conn.execute_fetchall(sql, ("x",))
    async with app.db.reading() as conn:
        assert [tuple(row) for row in await conn.execute_fetchall(sql, ("x",))] == [(False,)]


@both
async def test_the_hourly_prune_forgets_old_reply_statuses_on_both_backends(
    app: App, clock: FakeClock
) -> None:
    """Replies' delivery statuses (outbound_messages rows no delivery points to) would grow
    by one row per message sent; housekeeping keeps the last 30 days."""
    outbound = OutboundMessageRepository()
    async with app.db.transaction() as conn:
        await outbound.record_status(conn, "SM-old", "delivered", channel="whatsapp",
                                     now=clock.now())
    clock.advance(days=31)
    async with app.db.transaction() as conn:
        await outbound.record_status(conn, "SM-new", "sent", channel="whatsapp",
                                     now=clock.now())
    await Housekeeping(app).prune_processed_ids()
    async with app.db.reading() as conn:
        rows = await conn.execute_fetchall("SELECT provider_id FROM outbound_messages")
    assert [tuple(row) for row in rows] == [("SM-new",)]
