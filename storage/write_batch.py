"""Writes that can wait for their transaction's commit, run together just before it.

Every aiosqlite call is a round trip to the connection's thread (~0.2 ms on the 2-core VM,
where SQLite itself needs ~20 µs per statement). A conversation turn's bookkeeping (its
provider id, its session, the identity's last-inbound time) and registration's identity link
and audit entry are read by nobody before the commit, so they are queued here, and a shared
commit runs the whole queue as a few `executemany` calls, one per distinct statement, in the
order each statement first came.

Grouping by statement reorders writes of different turns, which is safe because the queued
writes of one commit never touch the same row twice: a turn queues only writes of its own
sender's rows (processed id, session, identity) or appends (audit entries), and a sender has
at most one turn per commit (the engine's sender lock is held until the commit).

The queue belongs to the database's writer (`Database.later`) and is reached through the
turn (`Turn.batch`): code that reads or deletes what may still sit in it (erasing a person
deletes their conversations) runs it first with `batch.flush(conn)`.
"""

from __future__ import annotations

from collections.abc import Sequence

from storage.connection import Connection

Statement = tuple[str, Sequence[object]]


class WriteBatch:
    def __init__(self) -> None:
        self._runs: dict[str, list[Sequence[object]]] = {}

    def add(self, statement: Statement) -> None:
        sql, params = statement
        self._runs.setdefault(sql, []).append(params)

    def take(self) -> list[tuple[str, list[Sequence[object]]]]:
        """The queued writes (each statement with its rows, in first-queued order), leaving
        the queue empty: for a backend that sends them its own way (storage/postgres.py)."""
        runs, self._runs = self._runs, {}
        return list(runs.items())

    def clear(self) -> None:
        self._runs = {}

    def __bool__(self) -> bool:
        return bool(self._runs)

    async def flush(self, conn: Connection) -> None:
        """Run the queued writes in order; on failure the caller rolls the transaction back."""
        runs, self._runs = self._runs, {}
        for sql, rows in runs.items():
            await conn.executemany(sql, rows)
