"""Broadcast worker leases on PostgreSQL: which worker processes are alive, and which one
schedules.

Each worker keeps one connection of its own (outside the pool) holding session advisory locks:
- the worker's own lock, keyed by its id from `broadcast_workers`: the server frees it when
  the process dies, even by SIGKILL (its socket closes), or when the machine is gone (TCP
  keepalives, about 25 s). "Alive" is "holds its lock": nothing to renew, nothing to expire.
- the scheduler's lock, held by one worker at a time (the leader, which runs APScheduler);
- a shared hold on the lock a worker running alone takes exclusively (`Database.exclusive`,
  without Redis): the two ways of running cannot overlap on one database.

The keys start with the schema, so databases sharing a server (tests) do not meet.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import psycopg

from storage.connection import Connection

logger = logging.getLogger(__name__)

# Both halves of every key are computed by the server, in the lock and in the query alike.
_WORKER_KEY = "hashtext(current_schema() || '/spi-workers')"
_SCHEDULER = "hashtext(current_schema()), hashtext('spi:scheduler')"
# The key `Database.exclusive("worker")` takes: one worker alone, without Redis.
_ALONE = "hashtext(current_schema()), hashtext('spi:worker')"
# The server notices a vanished client after about idle + interval x count seconds.
_KEEPALIVES = ("SET tcp_keepalives_idle = 10", "SET tcp_keepalives_interval = 5",
               "SET tcp_keepalives_count = 3")


class WorkerLease:
    """This worker's id and its locks, on a connection kept for them alone."""

    def __init__(self, conn: psycopg.AsyncConnection[Any], worker_id: int) -> None:
        self._conn = conn
        self.worker_id = worker_id
        self.leading = False

    @classmethod
    async def open(cls, url: str, *, host: str, pid: int, started_at: str
                   ) -> WorkerLease | None:
        """Register and lock a new worker id; None while a worker runs alone (without Redis)
        on this database."""
        conn = await psycopg.AsyncConnection.connect(
            url, autocommit=True, application_name="spi-worker", connect_timeout=10)
        try:
            for statement in _KEEPALIVES:
                await conn.execute(statement)
            cur = await conn.execute(f"SELECT pg_try_advisory_lock_shared({_ALONE})")
            row = await cur.fetchone()
            if not (row and row[0]):
                await conn.close()
                return None
            cur = await conn.execute(
                "INSERT INTO broadcast_workers (host, pid, started_at) VALUES (%s, %s, %s) "
                "RETURNING id", (host, pid, started_at))
            worker_id = int((await cur.fetchone() or (0,))[0])
            await conn.execute(f"SELECT pg_advisory_lock({_WORKER_KEY}, %s)", (worker_id,))
            # Operators see which connection is which worker in pg_stat_activity.
            await conn.execute("SELECT set_config('application_name', %s, false)",
                               (f"spi-worker-{worker_id}",))
        except BaseException:
            await conn.close()
            raise
        return cls(conn, worker_id)

    async def try_lead(self) -> bool:
        """Become the scheduler if nobody is; True while this worker is it."""
        if not self.leading:
            cur = await self._conn.execute(f"SELECT pg_try_advisory_lock({_SCHEDULER})")
            row = await cur.fetchone()
            self.leading = bool(row and row[0])
        return self.leading

    async def resign(self) -> None:
        """Stop being the scheduler (another worker takes over within a second)."""
        if self.leading:
            self.leading = False
            with contextlib.suppress(psycopg.Error):
                await self._conn.execute(f"SELECT pg_advisory_unlock({_SCHEDULER})")

    async def alive(self, within: float = 5.0) -> bool:
        """False once the connection holding the locks is gone (or does not answer): from
        then on another worker may take this one's deliveries over."""
        if self._conn.closed:
            return False
        try:
            async with asyncio.timeout(within):
                await self._conn.execute("SELECT 1")
        except (psycopg.Error, TimeoutError, OSError):
            return False
        return True

    async def close(self) -> None:
        """Frees every lock at once (the server does the same when the process dies)."""
        self.leading = False
        with contextlib.suppress(psycopg.Error, OSError):
            await self._conn.close()


async def live_workers(conn: Connection) -> set[int]:
    """The ids of the workers holding their lock now: every other worker id is dead."""
    async with conn.execute(
        f"""SELECT objid::bigint FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 2
              AND classid = {_WORKER_KEY}::oid
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"""  # noqa: S608 - constants
    ) as cur:
        return {int(row[0]) for row in await cur.fetchall()}


async def database_key(conn: Connection) -> str:
    """The same name for this database on every machine (a URL may name the host differently)."""
    async with conn.execute("SELECT current_database(), current_schema()") as cur:
        row = await cur.fetchone()
    return f"postgresql:{row[0]}/{row[1]}"
