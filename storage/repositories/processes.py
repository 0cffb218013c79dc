"""Web processes sharing one PostgreSQL database: who they are and whether they are alive.

A process registers a row (its id) and then holds the session advisory lock named
`spi:process:<id>` for as long as it runs, on a connection of its own (`Database.exclusive`,
storage/postgres.py): the server frees the lock when that connection ends, however the process
ended (SIGKILL, power loss, a lost network), so "the lock is free" means "the process is dead".
Another process proves it inside a transaction by taking the same lock itself
(`pg_try_advisory_xact_lock`), which also keeps the owner from coming back until that
transaction ends. Ids are never reused, so a dead process stays dead.

On SQLite (one process per file) nothing here is used.
"""

from __future__ import annotations

from datetime import datetime

from core.clock import to_text
from storage.connection import Connection

LOCK_PREFIX = "process:"  # Database.exclusive(f"{LOCK_PREFIX}{id}") holds a process's lock


def lock_name(process_id: int) -> str:
    """The `Database.exclusive` name a process holds while it is alive."""
    return f"{LOCK_PREFIX}{process_id}"


def liveness_key_sql(id_expression: str) -> str:
    """The two advisory-lock keys of `Database.exclusive(lock_name(id))` on PostgreSQL, as
    SQL over an expression giving the id (PostgresDatabase.exclusive: the schema's hash and
    the hash of 'spi:<name>')."""
    return f"hashtext(current_schema()), hashtext('spi:{LOCK_PREFIX}' || ({id_expression}))"


class ProcessRepository:
    async def register(self, conn: Connection, host: str, pid: int, now: datetime) -> int:
        """A new process id (never one used before)."""
        rows = await conn.execute_fetchall(
            "INSERT INTO server_processes (host, pid, started_at) VALUES (?, ?, ?) RETURNING id",
            (host[:200], pid, to_text(now)))
        return int(rows[0]["id"])

    async def is_dead(self, conn: Connection, process_id: int) -> bool:
        """True when the process holds no liveness lock (PostgreSQL); the caller's transaction
        then holds it until its end, so the process cannot come back meanwhile."""
        rows = await conn.execute_fetchall(
            f"SELECT pg_try_advisory_xact_lock({liveness_key_sql('?')}) AS free",
            (process_id,))
        return bool(rows[0]["free"])

    async def forget_dead(self, conn: Connection, me: int, started_before: datetime) -> int:
        """Drop the rows of dead processes that own no reply any more (started before
        `started_before`: a process registers a moment before it takes its lock)."""
        cur = await conn.execute(
            f"""DELETE FROM server_processes p
                WHERE id <> ? AND started_at < ?
                  AND NOT EXISTS (SELECT 1 FROM reply_outbox o WHERE o.owner = p.id)
                  AND pg_try_advisory_xact_lock({liveness_key_sql('p.id')})""",  # noqa: S608
            (me, to_text(started_before)))
        return cur.rowcount

    async def listed(self, conn: Connection) -> list[int]:
        rows = await conn.execute_fetchall("SELECT id FROM server_processes ORDER BY id")
        return [int(row["id"]) for row in rows]
