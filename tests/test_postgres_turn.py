"""What a turn costs on PostgreSQL (round trips) and what the shortcuts must keep: statements
sent together run in order, each seeing the ones before it; a lock sent ahead of a read is
waited for before the read takes its snapshot; a write sent with the next statement is part of
the transaction all the same."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from bot.app import App
from bot.server.housekeeping import Housekeeping
from core.messages import Channel, Inbound
from storage.connection import fetch_together, lock_until_commit, write_soon
from storage.repositories.inbound import InboundRepository
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


class Queries:
    """Every query psycopg sends on the pool's connections, COMMIT included."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def texts(self) -> list[str]:
        sent, self.sent = self.sent, []
        return sent


@pytest.fixture
def queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[Queries]:
    spy = Queries()
    execute, executemany = psycopg.AsyncCursor.execute, psycopg.AsyncCursor.executemany
    commit = psycopg.AsyncConnection.commit

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
    assert opening.startswith("BEGIN") and "pg_advisory_xact_lock" in opening
    assert "INSERT INTO processed_inbound" in opening and "JOIN sessions" in opening
    assert "INSERT INTO sessions" in closing and closing.rstrip().endswith("COMMIT")
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
    assert sent.startswith("BEGIN") and sent.count("INSERT") == 2 and sent.endswith("COMMIT")
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
